import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';
import type { UpstreamKeyEntity } from './upstream-key.entity';

export const KEY_ROTATION_STEPS = ['issuing', 'draining', 'deleting', 'done', 'stopped'] as const;
/**
 * issuing: the replacement is being made upstream and proven (retried with backoff until it works);
 * draining: the replacement serves, the old key takes no new requests until `next_attempt_at`;
 * deleting: the old key is being deleted upstream; done: the old key is revoked;
 * stopped: the replacement failed its proof too often; the old key stays as it is until an admin
 * asks again (rotate, migrate), which starts the rotation over.
 */
export type KeyRotationStep = (typeof KEY_ROTATION_STEPS)[number];

/** migration: a standard key replaced by an auth key on an admin's request. */
export const KEY_ROTATION_REASONS = ['scheduled', 'emergency', 'admin', 'migration'] as const;
export type KeyRotationReason = (typeof KEY_ROTATION_REASONS)[number];

/**
 * One rotation of one upstream key through its project's issuer: a small state machine persisted
 * step by step, so a rotator killed at any point resumes it. A key is rotated at most once (unique).
 */
@Entity('key_rotations')
@Index('UQ_key_rotations_old_key', ['oldKeyId'], { unique: true })
@Index('IDX_key_rotations_step_next', ['step', 'nextAttemptAt'])
export class KeyRotationEntity extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'old_key_id', type: 'uuid' })
  oldKeyId!: string;

  @ManyToOne('UpstreamKeyEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'old_key_id', foreignKeyConstraintName: 'FK_key_rotations_old_key' })
  oldKey?: UpstreamKeyEntity;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ type: 'varchar', length: 16 })
  reason!: KeyRotationReason;

  @Column({ type: 'varchar', length: 16, default: 'issuing' })
  step!: KeyRotationStep;

  /** The replacement's key id at the API Keys API, fixed up front so a retried create finds it. */
  @Column({ name: 'upstream_key_id', type: 'varchar', length: 63 })
  upstreamKeyId!: string;

  /** The replacement's row, once issued. */
  @Column({ name: 'new_key_id', type: 'uuid', nullable: true })
  newKeyId!: string | null;

  /** When the current step may run (backoff after a failure; end of the drain). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ type: 'integer', default: 0 })
  failures!: number;

  /** The last failure, without secrets. */
  @Column({ name: 'last_error', type: 'varchar', length: 300, nullable: true })
  lastError!: string | null;

  /** A rotator holds the rotation until then; another one takes it over only after. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
