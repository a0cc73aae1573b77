import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { UsageLane } from './usage-record.entity';

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
export class UsageHourlyEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz' })
  hour!: Date;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ name: 'batch_id', type: 'uuid', nullable: true })
  batchId!: string | null;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ type: 'varchar', length: 16 })
  lane!: UsageLane;

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
