import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { BatchView } from '@keyfleet/batches';
import { projectLimitsOf } from '@keyfleet/admission';
import { capacityEtaSeconds, nextPacificMidnight, QuotaEngine } from '@keyfleet/quota';
import { PoolService } from '@keyfleet/registry';

// Items of the model queued up to this batch (queues are first in, first out) that are still open.
const OPEN_AHEAD_SQL = `SELECT COALESCE(SUM(pending_count + running_count), 0)::int AS open
  FROM batches
  WHERE model = $1 AND status IN ('queued', 'running')
    AND created_at <= (SELECT created_at FROM batches WHERE id = $2)`;

/** A batch's etaSeconds from the pool's remaining capacity (the quota engine's view), not from its past rate. */
@Injectable()
export class BatchEta {
  private readonly logger = new Logger(BatchEta.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: PoolService,
    private readonly engine: QuotaEngine,
  ) {}

  async withEta(view: BatchView): Promise<BatchView> {
    if (view.counts.pending + view.counts.running === 0) return view;
    try {
      return { ...view, etaSeconds: await this.estimate(view) };
    } catch (error) {
      // The rate-based estimate stands when Redis cannot answer.
      this.logger.warn(`eta of batch ${view.id}: ${String(error)}`);
      return view;
    }
  }

  private async estimate(view: BatchView): Promise<number | null> {
    const rows: Array<{ open: number }> = await this.dataSource.query(OPEN_AHEAD_SQL, [view.model, view.id]);
    const projects = await this.pool.poolFor(view.model);
    const limits = projects.map(projectLimitsOf);
    const usage = await this.engine.usage(view.model, limits);
    const nowMs = await this.engine.nowMs();
    return capacityEtaSeconds({
      openRequests: rows[0]?.open ?? 0,
      projects: limits.map((l, i) => ({ limits: l, usage: usage[i] })),
      nowMs,
      nextDayStartMs: nextPacificMidnight(nowMs),
    });
  }
}
