import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Timestamped } from './timestamps';
import type { BatchEntity } from './batch.entity';

/**
 * Where a Google Batch Mode job is: `submitting` until Google named it (a successor looks it up by its
 * display name before submitting again), then Google's state (`pending`, `running`, `succeeded`,
 * `failed`, `cancelled`, `expired`).
 */
export const BATCH_MODE_JOB_STATES = [
  'submitting',
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
] as const;
export type BatchModeJobState = (typeof BATCH_MODE_JOB_STATES)[number];

/** One Google Batch Mode job running a range of an economy batch's items in one project. */
@Entity('batch_mode_jobs')
@Index('IDX_batch_mode_jobs_batch', ['batchId'])
@Index('IDX_batch_mode_jobs_open', ['projectId'], { where: 'settled = false' })
export class BatchModeJobEntity extends Timestamped {
  /** Also its display name at Google (`kf-<id>`). */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'batch_id', type: 'uuid' })
  batchId!: string;

  @ManyToOne('BatchEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'FK_batch_mode_jobs_batch' })
  batch?: BatchEntity;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  /** The items it runs: line_no from first_line to last_line of the batch. */
  @Column({ name: 'first_line', type: 'integer' })
  firstLine!: number;

  @Column({ name: 'last_line', type: 'integer' })
  lastLine!: number;

  /** Input tokens it holds in the project's enqueued-token cap until it ends. */
  @Column({ name: 'est_tokens', type: 'integer' })
  estTokens!: number;

  /** Google's name (`batches/…`), once it answered the creation. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'submitting' })
  state!: BatchModeJobState;

  /** The uploaded input file (`files/…`), when the requests were over the inline limit. */
  @Column({ name: 'input_file', type: 'varchar', length: 300, nullable: true })
  inputFile!: string | null;

  /** What it holds on its client's budget counters until it ended (keys and micro-dollars); null = nothing. */
  @Column({ name: 'budget_hold', type: 'jsonb', nullable: true })
  budgetHold!: { keys: string[]; micros: number } | null;

  /** True once its items have their results (or went back to live): nothing more to do with it. */
  @Column({ type: 'boolean', default: false })
  settled!: boolean;
}
