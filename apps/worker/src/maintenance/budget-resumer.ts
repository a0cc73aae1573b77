import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClientBudgets, UpstreamPicker } from '@keyfleet/admission';
import { BatchPauses, type PausedBatch } from '@keyfleet/batches';
import { DispatchSignals, FairShare } from '@keyfleet/fair-share';
import { BatchBudgetGate } from '../dispatch/batch-budget-gate';
import { PeriodicPass } from './periodic-pass';

const CHECK_EVERY_MS = 1_000;

/**
 * Resumes batches paused at their client's budget as soon as the budget allows their next item again:
 * an admin raised it (seen within the budget cache, 2 s) or its period ended (UTC midnight, or the 1st
 * of the month). Every worker checks; resuming is conditional on the status, so one wins.
 */
@Injectable()
export class BudgetResumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BudgetResumer.name);
  private readonly periodic = new PeriodicPass(
    'resuming paused batches',
    () => this.resumeAllowed(),
    0,
    this.logger,
  );

  constructor(
    private readonly pauses: BatchPauses,
    private readonly gate: BatchBudgetGate,
    private readonly budgets: ClientBudgets,
    private readonly picker: UpstreamPicker,
    private readonly fairShare: FairShare,
    private readonly signals: DispatchSignals,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start(CHECK_EVERY_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass (none if one is running here): how many batches it resumed. */
  runOnce(): Promise<number> {
    return this.periodic.runOnce();
  }

  private async resumeAllowed(): Promise<number> {
    const woken = new Set<string>();
    for (const batch of await this.pauses.paused()) {
      if (!(await this.allows(batch)) || !(await this.pauses.resume(batch.batchId))) continue;
      this.logger.log(`batch ${batch.batchId} resumed: its client's budget allows it again`);
      await this.fairShare.activate(batch.model, batch);
      woken.add(batch.model);
    }
    for (const model of woken) this.signals.wake(model);
    return woken.size;
  }

  /** Whether what the budget has left covers the batch's next item (as admission will price it). */
  private async allows(batch: PausedBatch): Promise<boolean> {
    const budget = await this.gate.budgetOf(batch.clientId);
    const left = await this.budgets.left(batch.clientId, budget, batch.model);
    if (!left) return true;
    const price = await this.picker.pricer(batch.model);
    return left.leftMicros > 0 && left.leftMicros >= (price ? price(batch.nextItemTokens) : 0);
  }
}
