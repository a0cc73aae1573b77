import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { projectLimitsOf } from '@keyfleet/admission';
import {
  KeyfleetMetrics,
  type FleetExport,
  type FleetSnapshot,
  type QuotaSample,
} from '@keyfleet/observability';
import { QuotaEngine } from '@keyfleet/quota';
import { PoolService } from '@keyfleet/registry';
import {
  BACKLOG_SQL,
  ITEMS_BY_STATUS_SQL,
  KEYS_BY_STATUS_SQL,
  ROTATION_DUE_SQL,
  type ItemsByStatusRow,
} from './fleet-queries';

const ITEM_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * The fleet-wide gauges (quota use against limits, keys, batch items, backlog), read from Redis and
 * Postgres when Prometheus scrapes the api. Every api process exports the same values: aggregate with
 * max() across instances.
 */
@Injectable()
export class FleetReader implements OnModuleInit, OnModuleDestroy {
  private export: FleetExport | undefined;

  constructor(
    private readonly metrics: KeyfleetMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: PoolService,
    private readonly engine: QuotaEngine,
  ) {}

  onModuleInit(): void {
    this.export = this.metrics.exportFleet(() => this.read());
  }

  onModuleDestroy(): void {
    this.export?.stop();
  }

  async read(): Promise<FleetSnapshot> {
    const [quota, keys, rotationDue, items, backlog] = await Promise.all([
      this.quota(),
      this.dataSource.query<Array<{ project: string; status: string; count: number }>>(KEYS_BY_STATUS_SQL),
      this.dataSource.query<Array<{ project: string; key_id: string; days: string }>>(ROTATION_DUE_SQL),
      this.dataSource.query<ItemsByStatusRow[]>(ITEMS_BY_STATUS_SQL),
      this.dataSource.query<Array<{ model: string; pending: string }>>(BACKLOG_SQL),
    ]);
    return {
      quota,
      keys,
      rotationDue: rotationDue.map((row) => ({
        project: row.project,
        keyId: row.key_id,
        days: Number(row.days),
      })),
      batchItems: items.flatMap((row) =>
        ITEM_STATUSES.map((status) => ({ model: row.model, status, count: Number(row[status]) })),
      ),
      queueDepth: backlog.map((row) => ({ model: row.model, pending: Number(row.pending) })),
    };
  }

  /** Per served model and pool project: each dimension's use (quota engine's `usage()`) against its limit. */
  private async quota(): Promise<QuotaSample[]> {
    const models = await this.pool.servedModels();
    const perModel = await Promise.all(
      models.map(async (model) => {
        const projects = await this.pool.poolFor(model);
        const usage = await this.engine.usage(model, projects.map(projectLimitsOf));
        return usage.flatMap((row, i) => {
          const { name: project, limits } = projects[i];
          const sample = (dimension: string, used: number, limit: number | null): QuotaSample[] =>
            limit === null ? [] : [{ project, model, dimension, used, limit }];
          return [
            ...sample('rpm', row.window.requests, limits.rpm),
            ...sample('tpm', row.window.tokens, limits.tpm),
            ...sample('rpd', row.today.requests, limits.rpd),
            ...sample('tpd', row.today.tokens, limits.tpd),
            // Micro-dollars in the spend window of the project (or its billing group), all models together.
            ...sample('spend', row.spend.windowMicros, projects[i].spendLimit),
          ];
        });
      }),
    );
    return perModel.flat();
  }
}
