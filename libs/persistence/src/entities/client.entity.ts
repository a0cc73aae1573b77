import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';

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

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
