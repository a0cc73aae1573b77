import type { Reservation } from './quota-types';

/** One reservation as this process remembers it, to put it back if Redis loses the windows. */
interface LedgerEntry {
  projectId: string;
  atMs: number;
  tokens: number;
  corrected: boolean;
  dayStartMs: number;
  epoch: string;
  /** Micro-dollars held in the spend window of `scope` (0: none). */
  micros: number;
  scope: string;
}

interface DayCounts {
  requests: number;
  tokens: number;
  micros: number;
}

type ProjectDay = DayCounts & { projectId: string; dayStartMs: number };

/** What one process replays for one project and Pacific day (see REPLAY_LUA). */
export interface ReplayGroup {
  projectId: string;
  dayStartMs: number;
  day: DayCounts;
  entries: Array<{
    id: string;
    atMs: number;
    tokens: number;
    corrected: boolean;
    micros: number;
    scope: string;
  }>;
}

const groupKey = (projectId: string, dayStartMs: number) => `${projectId}\n${dayStartMs}`;

/**
 * This process' own reservations of one model: every entry still in a rolling window and the day's
 * totals, each under the epoch it was made (or last replayed) in. Memory only: Redis is where the
 * windows live; this is what rebuilds them after Redis lost them.
 */
export class ModelLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  // epoch → (project, day) → counts.
  private readonly days = new Map<string, Map<string, ProjectDay>>();

  constructor(
    private readonly spanMs: number,
    /** How long an entry with spend is remembered: the spend window plus the headroom. */
    private readonly spendSpanMs = spanMs,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  record(r: Reservation, epoch: string): void {
    this.entries.set(r.id, {
      projectId: r.projectId,
      atMs: r.atMs,
      tokens: r.tokens,
      corrected: false,
      dayStartMs: r.dayStartMs,
      epoch,
      micros: r.spend?.micros ?? 0,
      scope: r.spend?.scope ?? '',
    });
    this.addDay(epoch, r.projectId, r.dayStartMs, {
      requests: 1,
      tokens: r.tokens,
      micros: r.spend?.micros ?? 0,
    });
  }

  /** The stamp follows the send time as CORRECT_LUA moves it (never earlier: replaying later is safe). */
  corrected(r: Reservation, tokens: number, sentAtMs: number, micros = 0): void {
    const entry = this.entries.get(r.id);
    if (!entry || entry.corrected) return;
    const spendDelta = entry.micros > 0 ? micros - entry.micros : 0;
    const delta = { requests: 0, tokens: tokens - entry.tokens, micros: spendDelta };
    this.addDay(entry.epoch, entry.projectId, entry.dayStartMs, delta);
    entry.tokens = tokens;
    entry.micros += spendDelta;
    entry.corrected = true;
    entry.atMs = Math.max(entry.atMs, sentAtMs);
  }

  restamped(r: Reservation, atMs: number): void {
    const entry = this.entries.get(r.id);
    if (entry) entry.atMs = Math.max(entry.atMs, atMs);
  }

  released(r: Reservation): void {
    const entry = this.entries.get(r.id);
    if (!entry) return;
    this.entries.delete(r.id);
    const delta = { requests: -1, tokens: -entry.tokens, micros: -entry.micros };
    this.addDay(entry.epoch, entry.projectId, entry.dayStartMs, delta);
  }

  /** Forgets entries that left every window by `nowMs` (Redis clock) and days older than the current one. */
  prune(nowMs: number, currentDayStartMs: number): void {
    for (const [id, entry] of this.entries) {
      const span = entry.micros > 0 ? Math.max(this.spanMs, this.spendSpanMs) : this.spanMs;
      if (entry.atMs + span <= nowMs) this.entries.delete(id);
    }
    for (const counts of this.days.values())
      for (const [key, day] of counts) if (day.dayStartMs < currentDayStartMs) counts.delete(key);
  }

  /** What was reserved under epochs other than `epoch`: what the windows of `epoch` lack. */
  missingFrom(epoch: string): ReplayGroup[] {
    const groups = new Map<string, ReplayGroup>();
    const group = (projectId: string, dayStartMs: number): ReplayGroup => {
      const key = groupKey(projectId, dayStartMs);
      let found = groups.get(key);
      if (!found) {
        found = { projectId, dayStartMs, day: { requests: 0, tokens: 0, micros: 0 }, entries: [] };
        groups.set(key, found);
      }
      return found;
    };
    for (const [id, entry] of this.entries) {
      if (entry.epoch === epoch) continue;
      const { atMs, tokens, corrected, micros, scope } = entry;
      group(entry.projectId, entry.dayStartMs).entries.push({ id, atMs, tokens, corrected, micros, scope });
    }
    for (const [dayEpoch, counts] of this.days) {
      if (dayEpoch === epoch) continue;
      for (const day of counts.values()) {
        const target = group(day.projectId, day.dayStartMs).day;
        target.requests += day.requests;
        target.tokens += day.tokens;
        target.micros += day.micros;
      }
    }
    return [...groups.values()];
  }

  /** After a replay into `epoch`: everything remembered is now counted there. */
  movedTo(epoch: string): void {
    for (const entry of this.entries.values()) entry.epoch = epoch;
    for (const [dayEpoch, counts] of [...this.days]) {
      if (dayEpoch === epoch) continue;
      this.days.delete(dayEpoch);
      for (const day of counts.values()) this.addDay(epoch, day.projectId, day.dayStartMs, day);
    }
  }

  private addDay(epoch: string, projectId: string, dayStartMs: number, delta: DayCounts): void {
    let counts = this.days.get(epoch);
    if (!counts) this.days.set(epoch, (counts = new Map<string, ProjectDay>()));
    const key = groupKey(projectId, dayStartMs);
    const day = counts.get(key) ?? { projectId, dayStartMs, requests: 0, tokens: 0, micros: 0 };
    day.requests += delta.requests;
    day.tokens += delta.tokens;
    day.micros += delta.micros;
    counts.set(key, day);
  }
}
