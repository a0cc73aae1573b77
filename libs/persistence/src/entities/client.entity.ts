import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';

/** A spend limit per UTC day and per UTC month, in US dollars (absent or null: none). */
export interface SpendLimitsUsd {
  dailyUsd?: number | null;
  monthlyUsd?: number | null;
}

/** A client's budget: limits on all its spend, and optionally on its spend per model. */
export interface ClientBudget extends SpendLimitsUsd {
  models?: Record<string, SpendLimitsUsd>;
}

/** A team or app that submits work with a client key (`kf_…`). */
@Entity('clients')
@Index('IDX_clients_name', ['name'])
export class ClientEntity extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** CIDRs the client may call from, normalised (e.g. `10.0.0.0/8`, `2001:db8::/32`). */
  @Column({ name: 'allowed_ips', type: 'text', array: true })
  allowedIps!: string[];

  /** Share of the pool against other backlogged clients, per model (weight 3 gets three times weight 1). */
  @Column({ type: 'double precision', default: 1 })
  weight!: number;

  /** Spend limits (null: none); see libs/admission/src/budget. */
  @Column({ type: 'jsonb', nullable: true })
  budget!: ClientBudget | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
