import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { BatchEntity } from './batch.entity';

export const BATCH_ITEM_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type BatchItemStatus = (typeof BATCH_ITEM_STATUSES)[number];
export const FINAL_ITEM_STATUSES: readonly BatchItemStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface ItemError {
  code: number;
  message: string;
  status: string;
}

/** One request of a batch, and its result once final. Its id is also its queue job id. */
@Entity('batch_items')
@Index('UQ_batch_items_batch_key', ['batchId', 'key'], { unique: true })
@Index('IDX_batch_items_batch_line', ['batchId', 'lineNo'])
@Index('IDX_batch_items_open', ['status'], { where: "status IN ('pending', 'running')" })
// The backlog as dispatch reads it: a batch's waiting items in line order (SKIP LOCKED takes).
@Index('IDX_batch_items_waiting', ['batchId', 'lineNo'], { where: "status = 'pending'" })
// A worker's running items, for lease recovery when it dies.
@Index('IDX_batch_items_lease', ['leaseOwner'], { where: "status = 'running'" })
export class BatchItemEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'batch_id', type: 'uuid' })
  batchId!: string;

  @ManyToOne('BatchEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'FK_batch_items_batch' })
  batch?: BatchEntity;

  /** 1-based position in the submission (the NDJSON line number). */
  @Column({ name: 'line_no', type: 'integer' })
  lineNo!: number;

  @Column({ type: 'varchar', length: 500 })
  key!: string;

  @Column({ type: 'jsonb' })
  request!: Record<string, unknown>;

  /** Input tokens estimated at submission (uncalibrated): what admission reserves before the body is read. */
  @Column({ name: 'est_tokens', type: 'integer', default: 0 })
  estTokens!: number;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: BatchItemStatus;

  /** The worker process (dispatch_workers.id) running the item; its items go back to waiting if it dies. */
  @Column({ name: 'lease_owner', type: 'uuid', nullable: true })
  leaseOwner!: string | null;

  /** When the item was last taken to be sent (with project_id, what a lost quota window is rebuilt from). */
  @Column({ name: 'taken_at', type: 'timestamptz', nullable: true })
  takenAt!: Date | null;

  /** Attempts used up (a quota wait does not use one). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'jsonb', nullable: true })
  response!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: ItemError | null;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId!: string | null;

  @Column({ name: 'upstream_key_id', type: 'uuid', nullable: true })
  upstreamKeyId!: string | null;

  @Column({ name: 'prompt_tokens', type: 'integer', nullable: true })
  promptTokens!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
