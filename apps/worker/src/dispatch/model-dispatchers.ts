import { Inject, Injectable } from '@nestjs/common';
import { UpstreamPicker } from '@keyfleet/admission';
import { Backlog, BatchItemsStore } from '@keyfleet/batches';
import { FairShare } from '@keyfleet/fair-share';
import { BatchBudgetGate } from './batch-budget-gate';
import { BatchItemRunner } from './batch-item-runner';
import { DISPATCH_TIMING, type DispatchTiming } from './dispatch-timing';
import type { InFlight } from './in-flight';
import { ModelDispatcher } from './model-dispatcher';
import { WorkerIdentity } from './worker-identity';

/** Builds the dispatcher of one model with what every dispatcher shares. */
@Injectable()
export class ModelDispatchers {
  constructor(
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly fairShare: FairShare,
    private readonly backlog: Backlog,
    private readonly picker: UpstreamPicker,
    private readonly store: BatchItemsStore,
    private readonly runner: BatchItemRunner,
    private readonly budget: BatchBudgetGate,
    private readonly identity: WorkerIdentity,
  ) {}

  create(model: string, inFlight: InFlight): ModelDispatcher {
    return new ModelDispatcher(model, {
      fairShare: this.fairShare,
      backlog: this.backlog,
      picker: this.picker,
      store: this.store,
      runner: this.runner,
      budget: this.budget,
      inFlight,
      leaseOwner: this.identity.id,
      timing: this.timing,
    });
  }
}
