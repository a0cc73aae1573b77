import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A live worker process and its lease: it renews `expires_at` every few seconds, and the items it runs
 * (batch_items.lease_owner) go back to waiting once the lease has run out (the process died).
 */
@Entity('dispatch_workers')
@Index('IDX_dispatch_workers_expires', ['expiresAt'])
export class DispatchWorkerEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** hostname:pid, for operators. */
  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
