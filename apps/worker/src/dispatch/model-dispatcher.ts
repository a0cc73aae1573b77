import { Logger } from '@nestjs/common';
import type { UpstreamPicker, UpstreamSlot } from '@keyfleet/admission';
import type { AdmittedItem, Backlog, BatchItemsStore, TakenItem, WaitingItem } from '@keyfleet/batches';
import type { FairShare, PlannedTurns } from '@keyfleet/fair-share';
import type { BatchItemRunner } from './batch-item-runner';
import type { DispatchTiming } from './dispatch-timing';
import type { InFlight } from './in-flight';
import { Pause } from './pause';

export interface ModelDispatcherDeps {
  fairShare: FairShare;
  backlog: Backlog;
  picker: UpstreamPicker;
  store: BatchItemsStore;
  runner: BatchItemRunner;
  inFlight: InFlight;
  leaseOwner: string;
  timing: DispatchTiming;
}

/** What one round did: nothing to take, or how many it took and whether room ran out (and until when). */
type Round = { kind: 'idle' } | { kind: 'took'; taken: number; planned: number; waitMs: number | null };

interface TakeResult {
  taken: number;
  /** Items that were waiting (and not locked by another taker). */
  found: number;
  waitMs: number | null;
}

const FIRST_TURNS = 16;
const NO_KEYS_EXCLUDED: ReadonlySet<string> = new Set();

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

  constructor(
    readonly model: string,
    private readonly deps: ModelDispatcherDeps,
  ) {
    this.logger = new Logger(`ModelDispatcher ${model}`);
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
    let turns = FIRST_TURNS;
    while (!this.stopped) {
      const room = inFlight.room();
      if (room === 0) {
        await Promise.race([inFlight.whenOneFinishes(), this.pause.for(timing.idleCheckMs)]);
        continue;
      }
      let round: Round;
      try {
        round = await this.round(Math.min(room, turns));
      } catch (error) {
        this.logger.warn(`dispatch round failed: ${String(error)}`);
        await this.pause.for(timing.idleCheckMs);
        continue;
      }
      if (round.kind === 'idle') {
        turns = FIRST_TURNS;
        await this.pause.for(timing.idleCheckMs);
      } else if (round.waitMs !== null) {
        turns = Math.max(FIRST_TURNS, round.taken * 2);
        // Room frees item by item as the window slides; each round can book what frees within the
        // book-ahead, so rounds a tenth of it apart book everything in time, in a few rounds instead of
        // one per freed item (each with its Postgres take).
        await this.pause.for(Math.max(round.waitMs, timing.bookAheadMs / 10, 1));
      } else if (round.taken === round.planned) {
        turns = Math.min(timing.maxTurnsPerRound, turns * 2);
      }
    }
  }

  private async round(turns: number): Promise<Round> {
    const { fairShare } = this.deps;
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
    return { kind: 'took', taken, planned: turns, waitMs };
  }

  /** Takes up to the batch's turns of its waiting items that have room, and starts them. */
  private async takeFrom(batch: PlannedTurns): Promise<TakeResult> {
    const { backlog, leaseOwner, picker } = this.deps;
    const admitted: UpstreamSlot[] = [];
    const impossible: Array<{ id: string; reason: string }> = [];
    let found = 0;
    let waitMs: number | null = null;
    const admit = async (waiting: WaitingItem[]): Promise<Array<AdmittedItem<UpstreamSlot>>> => {
      found = waiting.length;
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
      return through;
    };
    let taken: Array<TakenItem<UpstreamSlot>>;
    try {
      taken = await backlog.take(batch.batchId, batch.turns, leaseOwner, admit);
    } catch (error) {
      await Promise.all(admitted.map((slot) => picker.giveBack(slot))); // nothing was taken
      throw error;
    }
    const started = new Set(taken.map((item) => item.slot));
    // Admitted but not taken (its batch was cancelled meanwhile): the room goes back.
    await Promise.all(admitted.filter((slot) => !started.has(slot)).map((slot) => picker.giveBack(slot)));
    for (const item of taken) this.run(item);
    for (const item of impossible) await this.deps.store.fail(item.id, invalid(item.reason));
    return { taken: taken.length, found: found - impossible.length, waitMs };
  }

  /** The batch had fewer waiting items than turns: if none is left, it leaves the rotation. */
  private async retireIfDone(batch: PlannedTurns): Promise<void> {
    const state = await this.deps.backlog.state(batch.batchId);
    if (state && state.pending > 0) return; // the rest is locked by other takers right now
    await this.deps.fairShare.deactivate(this.model, batch, !state || state.running === 0);
  }

  private run(item: TakenItem<UpstreamSlot>): void {
    const { inFlight, runner } = this.deps;
    inFlight.add(1);
    void runner.run(this.model, item).finally(() => inFlight.done());
  }
}

function invalid(reason: string) {
  return { code: 400, message: reason, status: 'INVALID_ARGUMENT' };
}
