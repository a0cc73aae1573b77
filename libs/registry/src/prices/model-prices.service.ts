import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { ModelPriceEntity } from '@keyfleet/persistence';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { SHIPPED_MODEL_PRICES } from '../limits/model-prices';
import { objectOf } from '../shared/input-schemas';
import { RegistryEvents } from '../shared/registry-events';

const usdPerMillion = z.number({ error: 'expected US dollars per million tokens' }).nonnegative().max(10_000);

export const modelPriceInput = objectOf({ input: usdPerMillion, output: usdPerMillion });
export type ModelPriceInput = z.output<typeof modelPriceInput>;

/** A model's price as the admin API shows it: the shipped list price or the admin's override. */
export interface ModelPriceView {
  model: string;
  input: number;
  output: number;
  source: 'shipped' | 'admin';
}

/** The admin's overrides of the shipped price table (what spend is counted at). */
@Injectable()
export class ModelPricesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ModelPriceEntity) private readonly prices: Repository<ModelPriceEntity>,
    private readonly audit: AuditService,
    private readonly events: RegistryEvents,
  ) {}

  /** Every priced model: the overrides and the shipped prices they leave, by model name. */
  async list(): Promise<ModelPriceView[]> {
    const views = new Map<string, ModelPriceView>();
    for (const [model, price] of Object.entries(SHIPPED_MODEL_PRICES))
      views.set(model, { model, input: price.input, output: price.output, source: 'shipped' });
    for (const row of await this.prices.find()) views.set(row.model, viewOf(row));
    return [...views.values()].sort((a, b) => a.model.localeCompare(b.model));
  }

  async set(model: string, input: ModelPriceInput, actor: string): Promise<ModelPriceView> {
    const row = { model, inputUsdPerMillion: input.input, outputUsdPerMillion: input.output };
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ModelPriceEntity).upsert(row, { conflictPaths: ['model'] });
      await this.audit.record(
        {
          actor,
          action: 'model_price.set',
          targetType: 'model_price',
          targetId: model,
          details: { ...input },
        },
        manager,
      );
    });
    this.events.changed();
    return { model, input: input.input, output: input.output, source: 'admin' };
  }

  /** Drops the override: the shipped price (if any) applies again. */
  async remove(model: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(ModelPriceEntity).delete({ model });
      if (!result.affected) throw KeyfleetError.notFound(`no price override for ${model}`);
      await this.audit.record(
        { actor, action: 'model_price.removed', targetType: 'model_price', targetId: model, details: {} },
        manager,
      );
    });
    this.events.changed();
  }
}

function viewOf(row: ModelPriceEntity): ModelPriceView {
  return {
    model: row.model,
    input: row.inputUsdPerMillion,
    output: row.outputUsdPerMillion,
    source: 'admin',
  };
}
