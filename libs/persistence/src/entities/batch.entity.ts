import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// paused: its client's budget is reached; no item is taken until the budget allows again.
export const BATCH_STATUSES = ['queued', 'running', 'paused', 'completed', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** How a batch runs: live (interactive calls), economy (Google's Batch Mode, half price), or auto (chosen). */
export const BATCH_LANES = ['live', 'economy', 'auto'] as const;
export type BatchLane = (typeof BATCH_LANES)[number];
export type RunLane = Exclude<BatchLane, 'auto'>;

/** A batch of generateContent requests for one model, submitted by one client. */
@Entity('batches')
@Index('IDX_batches_client_created', ['clientId', 'createdAt'])
@Index('UQ_batches_client_idempotency_key', ['clientId', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
@Index('IDX_batches_open', ['status'], { where: "status IN ('queued', 'running')" })
export class BatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 500, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: BatchStatus;

  /** Orders a client's own batches: higher goes first; equal ones share the client's room. */
  @Column({ type: 'integer', default: 0 })
  priority!: number;

  /** The lane asked for. */
  @Column({ type: 'varchar', length: 8, default: 'live' })
  lane!: BatchLane;

  /** The lane it runs in (auto's choice); economy items fall back to live only when lane_live says so. */
  @Column({ name: 'lane_chosen', type: 'varchar', length: 8, default: 'live' })
  laneChosen!: RunLane;

  /** Why auto chose as it did (null for an explicit lane). */
  @Column({ name: 'lane_reason', type: 'varchar', length: 300, nullable: true })
  laneReason!: string | null;

  /** What economy saves against live, estimated at submission (US dollars; null when live). */
  @Column({ name: 'estimated_saving_usd', type: 'double precision', nullable: true })
  estimatedSavingUsd!: number | null;

  /** When every item should be final; null = none. */
  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  /** Whether the live dispatchers take its waiting items: false while Google's Batch Mode runs them. */
  @Column({ name: 'lane_live', type: 'boolean', default: true })
  laneLive!: boolean;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  // Item counts, moved in the same transaction as each item's status change.
  @Column({ name: 'total_count', type: 'integer' })
  totalCount!: number;

  @Column({ name: 'pending_count', type: 'integer' })
  pendingCount!: number;

  @Column({ name: 'running_count', type: 'integer', default: 0 })
  runningCount!: number;

  @Column({ name: 'succeeded_count', type: 'integer', default: 0 })
  succeededCount!: number;

  @Column({ name: 'failed_count', type: 'integer', default: 0 })
  failedCount!: number;

  @Column({ name: 'cancelled_count', type: 'integer', default: 0 })
  cancelledCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
