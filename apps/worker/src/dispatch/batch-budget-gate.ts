import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ClientBudgets, type BudgetHold, type UpstreamSlot } from '@keyfleet/admission';
import { BatchPauses } from '@keyfleet/batches';
import { KeyfleetMetrics } from '@keyfleet/observability';
import type { ClientBudget } from '@keyfleet/persistence';

/** How long a client's budget is believed without asking Postgres: an admin's change is seen within it. */
const BUDGET_CACHE_MS = 2_000;

interface GatedItem {
  id: string;
  slot: UpstreamSlot;
}

/**
 * Batch items in their client's budget: each item taken holds its estimated cost on the client's
 * counters (the same ones interactive calls use), corrected to the real cost when it succeeds and given
 * back when it fails or waits again. The first item that would pass the budget pauses its batch.
 */
@Injectable()
export class BatchBudgetGate {
  private readonly logger = new Logger(BatchBudgetGate.name);
  private readonly holds = new Map<string, BudgetHold>();
  private readonly budgets = new Map<string, { budget: ClientBudget | null; readAt: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clientBudgets: ClientBudgets,
    private readonly pauses: BatchPauses,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  async budgetOf(clientId: string): Promise<ClientBudget | null> {
    const cached = this.budgets.get(clientId);
    if (cached && Date.now() - cached.readAt < BUDGET_CACHE_MS) return cached.budget;
    const rows: Array<{ budget: ClientBudget | null }> = await this.dataSource.query(
      'SELECT budget FROM clients WHERE id = $1',
      [clientId],
    );
    const budget = rows[0]?.budget ?? null;
    this.budgets.set(clientId, { budget, readAt: Date.now() });
    return budget;
  }

  /**
   * The admitted items (in line order) the budget allows, each holding its cost; at the first it does not
   * allow, the rest stay waiting and the batch is paused (`paused`).
   */
  async admit<T extends GatedItem>(
    batch: { batchId: string; clientId: string },
    model: string,
    items: T[],
  ): Promise<{ through: T[]; paused: boolean }> {
    const budget = items.length > 0 ? await this.budgetOf(batch.clientId) : null;
    if (!budget) return { through: items, paused: false };
    const through: T[] = [];
    for (const item of items) {
      const micros = item.slot.reservation.spend?.micros ?? 0;
      const answer = await this.clientBudgets.reserve(batch.clientId, budget, model, micros);
      if ('refused' in answer) {
        if (await this.pauses.pause(batch.batchId)) {
          this.logger.log(`batch ${batch.batchId} paused: its client's budget is reached`);
          this.metrics.clientBudgetRefused(model, answer.refused.limit.span.period, 'batch');
        }
        return { through, paused: true };
      }
      this.holds.set(item.id, answer.hold);
      through.push(item);
    }
    return { through, paused: false };
  }

  /** The item succeeded: its real cost replaces the estimate. */
  settle(itemId: string, costMicros: number): void {
    const hold = this.take(itemId);
    if (hold) this.correct(this.clientBudgets.settle(hold, costMicros));
  }

  /** The item failed, waits again or was not taken: its estimate is given back. */
  release(itemId: string): void {
    const hold = this.take(itemId);
    if (hold) this.correct(this.clientBudgets.release(hold));
  }

  private take(itemId: string): BudgetHold | undefined {
    const hold = this.holds.get(itemId);
    this.holds.delete(itemId);
    return hold;
  }

  private correct(change: Promise<void>): void {
    change.catch((error: unknown) => this.logger.warn(`correcting a budget hold failed: ${String(error)}`));
  }
}
