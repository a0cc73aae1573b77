import { Column, Entity, Index } from 'typeorm';
import { UsageDimensions } from './usage-dimensions';

const SUMMED = { type: 'bigint' as const, default: 0 };

/**
 * usage_records summed per hour (UTC), client, batch, project, model and lane: what usage reports read
 * for anything older than the raw rows not yet rolled up. Kept indefinitely (a few rows per client and
 * hour). Two partial unique indexes (with and without a batch) make the rollup an idempotent upsert.
 */
@Entity('usage_hourly')
@Index('UQ_usage_hourly_interactive', ['hour', 'clientId', 'projectId', 'model', 'lane'], {
  unique: true,
  where: 'batch_id IS NULL',
})
@Index('UQ_usage_hourly_batch', ['hour', 'clientId', 'batchId', 'projectId', 'model', 'lane'], {
  unique: true,
  where: 'batch_id IS NOT NULL',
})
@Index('IDX_usage_hourly_client_hour', ['clientId', 'hour'])
export class UsageHourlyEntity extends UsageDimensions {
  @Column({ type: 'timestamptz' })
  hour!: Date;

  @Column({ type: 'bigint', default: 0 })
  requests!: string;

  @Column({ name: 'input_tokens', ...SUMMED })
  inputTokens!: string;

  @Column({ name: 'output_tokens', ...SUMMED })
  outputTokens!: string;

  @Column({ name: 'thinking_tokens', ...SUMMED })
  thinkingTokens!: string;

  @Column({ name: 'cached_tokens', ...SUMMED })
  cachedTokens!: string;

  @Column({ name: 'cost_micro_usd', type: 'numeric', precision: 24, scale: 6, default: 0 })
  costMicroUsd!: string;
}
