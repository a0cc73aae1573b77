import { Logger } from '@nestjs/common';
import type { UpstreamPicker, UpstreamSlot } from '@keyfleet/admission';
import type { AdmittedItem, Backlog, BatchItemsStore, TakenItem, WaitingItem } from '@keyfleet/batches';
import type { FairShare, PlannedTurns } from '@keyfleet/fair-share';
import type { BatchBudgetGate } from './batch-budget-gate';
import type { BatchItemRunner } from './batch-item-runner';
import type { DispatchTiming } from './dispatch-timing';
import type { InFlight } from './in-flight';
import { Pause } from './pause';
import { WriteQueueLimit } from './write-queue-limit';

export interface ModelDispatcherDeps {
  fairShare: FairShare;
  backlog: Backlog;
  picker: UpstreamPicker;
  store: BatchItemsStore;
  runner: BatchItemRunner;
  budget: BatchBudgetGate;
  inFlight: InFlight;
  leaseOwner: string;
  timing: DispatchTiming;
}

/**
 * What one round did: nothing to take; no room (until `waitMs` from now); or how many it took and
 * whether room ran out meanwhile (and until when).
 */
type Round =
  | { kind: 'idle' }
  | { kind: 'full'; waitMs: number }
  | { kind: 'took'; taken: number; waitMs: number | null };

interface TakeResult {
  taken: number;
  /** Items that were waiting (and not locked by another taker). */
  found: number;
  waitMs: number | null;
}

const NO_KEYS_EXCLUDED: ReadonlySet<string> = new Set();
// How far the typical item's estimate follows each take (an exponential moving average).
const TOKENS_ALPHA = 0.2;

/**
 * Dispatches one model's backlog from this process: admission first, then the item. Each round asks the
 * fair scheduler whose turns come next, takes that many waiting items of each batch from Postgres with
 * the quota room reserved for each (Backlog.take), and starts them. How many are in flight is what the
 * quota engine admits (no per-process constant); when room runs out, the round sleeps until the engine's
 * moment, or until a wake (new work, a registry change).
 */
export class ModelDispatcher {
  private readonly logger: Logger;
  private readonly pause = new Pause();
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Estimated input tokens of a typical item of this model (what the room is counted in). */
  private typicalTokens = 1;
  /** Items taken whose request has not been written yet, and who waits for that number to drop. */
  private unwritten = 0;
  private writtenWaiters: Array<() => void> = [];
  private readonly writeLimit: WriteQueueLimit;

  constructor(
    readonly model: string,
    private readonly deps: ModelDispatcherDeps,
  ) {
    this.logger = new Logger(`ModelDispatcher ${model}`);
    this.writeLimit = new WriteQueueLimit(deps.picker.sendWindowMs, deps.timing.maxUnwritten);
  }

  start(): void {
    this.loop ??= this.dispatch();
  }

  /** Look now: there may be new work or new room. */
  wake(): void {
    this.pause.wake();
  }

  /** Takes nothing more; items already taken run on (see DispatchLoops for draining them). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.wake();
    await this.loop;
  }

  private async dispatch(): Promise<void> {
    const { inFlight, timing } = this.deps;
    while (!this.stopped) {
      const room = inFlight.room();
      if (room === 0) {
        await Promise.race([inFlight.whenOneFinishes(), this.pause.for(timing.idleCheckMs)]);
        continue;
      }
      // A request must leave within its send window of its admission: take no faster than this
      // process writes (what is taken and not yet written is bounded by what writing takes here).
      const writable = this.writeLimit.value - this.unwritten;
      if (writable <= 0) {
        await Promise.race([this.whenSomeWritten(), this.pause.for(timing.idleCheckMs)]);
        continue;
      }
      let round: Round;
      try {
        round = await this.round(Math.min(room, writable, timing.maxTurnsPerRound));
      } catch (error) {
        this.logger.warn(`dispatch round failed: ${String(error)}`);
        await this.pause.for(timing.idleCheckMs);
        continue;
      }
      if (round.kind === 'idle') await this.pause.for(timing.idleCheckMs);
      else if (round.kind === 'full' || round.waitMs !== null) {
        // Room frees request by request as the window slides, and each round books what frees within
        // the book-ahead: rounds a tenth of it apart book everything in time, in a few rounds rather
        // than one per freed request.
        const waitMs = round.kind === 'full' ? round.waitMs : (round.waitMs ?? 0);
        await this.pause.for(Math.max(waitMs, timing.bookAheadMs / 10, 1));
      }
    }
  }

  /**
   * Admission first: asks the engine how much room there is (reserving nothing), hands out that many
   * turns fairly, then takes each batch's share with its room reserved.
   */
  private async round(maxTurns: number): Promise<Round> {
    const { fairShare, picker, timing } = this.deps;
    if (!(await fairShare.hasWork(this.model))) return { kind: 'idle' };
    const capacity = await picker.capacity(this.model, this.typicalTokens, timing.bookAheadMs);
    if (capacity.waitMs !== undefined) return { kind: 'full', waitMs: capacity.waitMs };
    const turns = Math.min(maxTurns, capacity.room);
    const planned = await fairShare.plan(this.model, turns);
    if (planned.length === 0) return { kind: 'idle' };
    const unused: PlannedTurns[] = [];
    let taken = 0;
    let waitMs: number | null = null;
    for (const batch of planned) {
      // Once room has run out, the rest of the plan waits its turn (given back below).
      if (waitMs !== null) {
        unused.push(batch);
        continue;
      }
      const result = await this.takeFrom(batch);
      taken += result.taken;
      waitMs = result.waitMs;
      if (result.taken < batch.turns) unused.push({ ...batch, turns: batch.turns - result.taken });
      if (result.found < batch.turns && result.waitMs === null) await this.retireIfDone(batch);
    }
    await fairShare.refund(this.model, unused);
    return { kind: 'took', taken, waitMs };
  }

  /** Takes up to the batch's turns of its waiting items that have room, and starts them. */
  private async takeFrom(batch: PlannedTurns): Promise<TakeResult> {
    const { backlog, leaseOwner, picker, budget } = this.deps;
    const admitted: UpstreamSlot[] = [];
    let gated: Array<AdmittedItem<UpstreamSlot>> = [];
    let paused = false;
    const impossible: Array<{ id: string; reason: string }> = [];
    let found = 0;
    let waitMs: number | null = null;
    const admit = async (waiting: WaitingItem[]): Promise<Array<AdmittedItem<UpstreamSlot>>> => {
      found = waiting.length;
      for (const item of waiting) this.typicalTokens += TOKENS_ALPHA * (item.estTokens - this.typicalTokens);
      const admissions = await Promise.all(
        waiting.map((item) =>
          picker.admit(
            this.model,
            { tokens: item.estTokens },
            NO_KEYS_EXCLUDED,
            'batch',
            this.deps.timing.bookAheadMs,
          ),
        ),
      );
      const through: Array<AdmittedItem<UpstreamSlot>> = [];
      admissions.forEach((admission, i) => {
        const id = waiting[i].id;
        if ('slot' in admission) {
          admitted.push(admission.slot);
          const { slot } = admission;
          through.push({ id, projectId: slot.project.projectId, upstreamKeyId: slot.key.id, slot });
        } else if ('impossible' in admission) impossible.push({ id, reason: admission.impossible });
        else waitMs = Math.min(waitMs ?? Infinity, admission.waitMs);
      });
      ({ through: gated, paused } = await budget.admit(batch, this.model, through));
      return gated;
    };
    let taken: Array<TakenItem<UpstreamSlot>>;
    try {
      taken = await backlog.take(batch.batchId, batch.turns, leaseOwner, admit);
    } catch (error) {
      await Promise.all(admitted.map((slot) => picker.giveBack(slot))); // nothing was taken
      for (const item of gated) budget.release(item.id);
      throw error;
    }
    const started = new Set(taken.map((item) => item.slot));
    for (const item of gated) if (!started.has(item.slot)) budget.release(item.id);
    // Paused at its client's budget: it leaves the turns until it is resumed (BudgetResumer).
    if (paused) await this.deps.fairShare.deactivate(this.model, batch, false);
    // Admitted but not taken (its batch was cancelled meanwhile): the room goes back.
    await Promise.all(admitted.filter((slot) => !started.has(slot)).map((slot) => picker.giveBack(slot)));
    for (const item of taken) this.run(item);
    for (const item of impossible) await this.deps.store.fail(item.id, invalid(item.reason));
    return { taken: taken.length, found: found - impossible.length, waitMs };
  }

  /** The batch had fewer waiting items than turns: if none is left, it leaves the rotation. */
  private async retireIfDone(batch: PlannedTurns): Promise<void> {
    const state = await this.deps.backlog.state(batch.batchId);
    // The rest is locked by other takers right now (unless the batch is paused: then none is taken).
    if (state && state.pending > 0 && state.status !== 'paused') return;
    await this.deps.fairShare.deactivate(this.model, batch, !state || state.running === 0);
  }

  private run(item: TakenItem<UpstreamSlot>): void {
    const { inFlight, runner, picker } = this.deps;
    inFlight.add(1);
    this.unwritten += 1;
    const dueAt = picker.dueAt(item.slot);
    let counted = true;
    const written = () => {
      if (!counted) return;
      counted = false;
      this.writeLimit.observe(performance.now() - dueAt, this.unwritten);
      this.unwritten -= 1;
      const waiters = this.writtenWaiters;
      this.writtenWaiters = [];
      for (const wake of waiters) wake();
    };
    void runner.run(this.model, item, written).finally(() => {
      written(); // finished without a write (held back for good, failed before it left)
      inFlight.done();
    });
  }

  private whenSomeWritten(): Promise<void> {
    return new Promise((resolve) => this.writtenWaiters.push(resolve));
  }
}

function invalid(reason: string) {
  return { code: 400, message: reason, status: 'INVALID_ARGUMENT' };
}
