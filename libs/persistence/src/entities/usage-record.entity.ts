import { Column, Entity, Index } from 'typeorm';
import { UsageDimensions } from './usage-dimensions';

export { USAGE_LANES, type UsageLane } from './usage-dimensions';

/** Where a request came in: a batch item, the Gemini-native routes, or the OpenAI-compatible ones. */
export const USAGE_SURFACES = ['batch', 'native', 'openai'] as const;
export type UsageSurface = (typeof USAGE_SURFACES)[number];

/**
 * One answered upstream request and what it cost (libs/accounting). Kept for KF_USAGE_RAW_RETENTION_DAYS;
 * `usage_hourly` keeps the sums. No foreign keys: the history outlives deleted clients and projects, and
 * an insert checks nothing (millions a day).
 */
@Entity('usage_records')
@Index('IDX_usage_records_client_at', ['clientId', 'recordedAt'])
@Index('IDX_usage_records_at', ['recordedAt'])
// What the rollup job has still to sum (and the reads add to the rollups).
@Index('IDX_usage_records_unrolled', ['recordedAt'], { where: 'rolled_up = false' })
export class UsageRecordEntity extends UsageDimensions {
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  surface!: UsageSurface;

  /** usageMetadata.promptTokenCount: the whole prompt, cached tokens included. */
  @Column({ name: 'input_tokens', type: 'integer' })
  inputTokens!: number;

  /** candidatesTokenCount: the answer, without thinking. */
  @Column({ name: 'output_tokens', type: 'integer' })
  outputTokens!: number;

  @Column({ name: 'thinking_tokens', type: 'integer' })
  thinkingTokens!: number;

  /** cachedContentTokenCount: the part of the input served from a context cache. */
  @Column({ name: 'cached_tokens', type: 'integer' })
  cachedTokens!: number;

  /** Exact decimal micro-dollars, so sums of any grouping reconcile to the last digit. */
  @Column({ name: 'cost_micro_usd', type: 'numeric', precision: 20, scale: 6 })
  costMicroUsd!: string;

  /** Summed into usage_hourly already (it stays here until its retention ends). */
  @Column({ name: 'rolled_up', type: 'boolean', default: false })
  rolledUp!: boolean;
}
