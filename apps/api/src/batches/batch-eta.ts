import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { BatchView } from '@keyfleet/batches';
import { projectLimitsOf } from '@keyfleet/admission';
import { capacityEtaSeconds, nextPacificMidnight, QuotaEngine } from '@keyfleet/quota';
import { PoolService } from '@keyfleet/registry';

// The requests that go out before this batch is done, as the fair scheduler shares the model: its own;
// of each other client, at most its weight's share of as many (it takes turns alongside, not ahead);
// of its client's batches, all of those of a higher priority and, of an equal one, at most as many.
const OPEN_AHEAD_SQL = `
WITH open AS (
  SELECT b.id, b.client_id, b.priority, b.pending_count + b.running_count AS n, COALESCE(c.weight, 1) AS weight
  FROM batches b LEFT JOIN clients c ON c.id = b.client_id
  WHERE b.model = $1 AND b.status IN ('queued', 'running') AND b.pending_count + b.running_count > 0
), me AS (SELECT * FROM open WHERE id = $2
), others AS (
  SELECT o.client_id, SUM(o.n) AS n, MAX(o.weight) AS weight FROM open o, me
  WHERE o.client_id <> me.client_id GROUP BY o.client_id
)
SELECT ceil(me.n
  + COALESCE((SELECT SUM(LEAST(x.n, me.n * x.weight / me.weight)) FROM others x), 0)
  + COALESCE((SELECT SUM(o.n) FROM open o WHERE o.client_id = me.client_id AND o.priority > me.priority), 0)
  + COALESCE((SELECT SUM(LEAST(o.n, me.n)) FROM open o
              WHERE o.client_id = me.client_id AND o.priority = me.priority AND o.id <> me.id), 0))::int AS open
FROM me`;

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
    if (view.counts.pending + view.counts.running === 0 || view.status === 'paused') return view;
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
