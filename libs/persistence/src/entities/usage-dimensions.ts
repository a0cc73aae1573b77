import { Column, PrimaryGeneratedColumn } from 'typeorm';

/** Where a request's price comes from: Google's interactive price, or one of its half-price lanes. */
export const USAGE_LANES = ['live', 'flex', 'economy'] as const;
export type UsageLane = (typeof USAGE_LANES)[number];

/** Who used what, where: the columns a raw usage record and an hourly rollup share. */
export abstract class UsageDimensions {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

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
}
