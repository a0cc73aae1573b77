import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Timestamped } from './timestamps';

/** An admin's override of a model's list price (US dollars per million tokens); other models use the shipped table. */
@Entity('model_prices')
export class ModelPriceEntity extends Timestamped {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ name: 'input_usd_per_million', type: 'double precision' })
  inputUsdPerMillion!: number;

  @Column({ name: 'output_usd_per_million', type: 'double precision' })
  outputUsdPerMillion!: number;
}
