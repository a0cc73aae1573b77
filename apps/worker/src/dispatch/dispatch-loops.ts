import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { UpstreamPicker } from '@keyfleet/admission';
import { WorkerLeases } from '@keyfleet/batches';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { DispatchSignals } from '@keyfleet/fair-share';
import { PoolService, RegistryEvents } from '@keyfleet/registry';
import { LeaseKeeper } from '../leases/lease-keeper';
import { DISPATCH_TIMING, type DispatchTiming } from './dispatch-timing';
import { InFlight } from './in-flight';
import { ItemHandback } from './item-handback';
import type { ModelDispatcher } from './model-dispatcher';
import { ModelDispatchers } from './model-dispatchers';
import { WorkerIdentity } from './worker-identity';

/**
 * One ModelDispatcher per served model, started and stopped as models come and go (models are data:
 * whatever the registered projects serve). A registry change on any process, or new work for a model,
 * wakes them at once; the model list is also re-read every few seconds. On shutdown the dispatchers stop
 * taking, items in flight get a while to finish, and what is left is handed back to waiting.
 */
@Injectable()
export class DispatchLoops implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchLoops.name);
  private readonly dispatchers = new Map<string, ModelDispatcher>();
  private readonly inFlight: InFlight;
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly pool: PoolService,
    private readonly signals: DispatchSignals,
    private readonly events: RegistryEvents,
    private readonly keeper: LeaseKeeper,
    private readonly factory: ModelDispatchers,
    private readonly leases: WorkerLeases,
    private readonly handback: ItemHandback,
    private readonly identity: WorkerIdentity,
    private readonly picker: UpstreamPicker,
  ) {
    this.inFlight = new InFlight(config.worker.maxInFlight);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.keeper.start(); // the lease first: no item is taken without one
    this.unsubscribe.push(
      this.signals.onWake((model) => this.wake(model)),
      this.events.onChange(() => void this.sync().then(() => this.wakeAll())),
      // A cost corrected below its estimate frees spend now, not when the window slides.
      this.picker.onSpendFreed((model) => this.dispatchers.get(model)?.wake()),
    );
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.timing.modelsRefreshMs);
  }

  /** The models this process dispatches. */
  models(): string[] {
    return [...this.dispatchers.keys()].sort();
  }

  /** Requests this process has in flight now. */
  inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Starts dispatchers for newly served models and stops those of models no longer served. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    await this.syncing;
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.stop()));
    this.dispatchers.clear();
    if (!(await this.inFlight.drained(this.timing.drainMs))) await this.handBackUnfinished();
    await this.keeper.end();
  }

  private wake(model: string): void {
    const dispatcher = this.dispatchers.get(model);
    if (dispatcher) dispatcher.wake();
    else void this.sync(); // a model this process does not know yet
  }

  private wakeAll(): void {
    for (const dispatcher of this.dispatchers.values()) dispatcher.wake();
  }

  private async syncOnce(): Promise<void> {
    let served: string[];
    try {
      served = await this.pool.servedModels();
    } catch (error) {
      this.logger.warn(`reading the served models failed: ${String(error)}`);
      return;
    }
    if (this.stopped) return;
    for (const model of served) {
      if (this.dispatchers.has(model)) continue;
      const dispatcher = this.factory.create(model, this.inFlight);
      this.dispatchers.set(model, dispatcher);
      dispatcher.start();
      this.logger.log(`dispatching ${model}`);
    }
    const gone = [...this.dispatchers.keys()].filter((model) => !served.includes(model));
    for (const model of gone) {
      const dispatcher = this.dispatchers.get(model);
      this.dispatchers.delete(model);
      await dispatcher?.stop();
      this.logger.log(`stopped dispatching ${model}: no longer served`);
    }
  }

  /** Items still in flight after the drain: back to waiting now, rather than after our lease runs out. */
  private async handBackUnfinished(): Promise<void> {
    try {
      const ids = await this.leases.itemsOf(this.identity.id);
      await this.handback.handBack(ids, this.identity.id);
      this.logger.warn(`handed back ${ids.length} unfinished items`);
    } catch (error) {
      this.logger.warn(`handing back unfinished items failed (lease recovery will): ${String(error)}`);
    }
  }
}
