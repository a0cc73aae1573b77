import type { Reservation } from './quota-types';

/** One reservation as this process remembers it, to put it back if Redis loses the windows. */
interface LedgerEntry {
  projectId: string;
  atMs: number;
  tokens: number;
  corrected: boolean;
  dayStartMs: number;
  epoch: string;
}

interface DayCounts {
  requests: number;
  tokens: number;
}

type ProjectDay = DayCounts & { projectId: string; dayStartMs: number };

/** What one process replays for one project and Pacific day (see REPLAY_LUA). */
export interface ReplayGroup {
  projectId: string;
  dayStartMs: number;
  day: DayCounts;
  entries: Array<{ id: string; atMs: number; tokens: number; corrected: boolean }>;
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

  constructor(private readonly spanMs: number) {}

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
    });
    this.addDay(epoch, r.projectId, r.dayStartMs, 1, r.tokens);
  }

  /** The stamp follows the send time as CORRECT_LUA moves it (never earlier: replaying later is safe). */
  corrected(r: Reservation, tokens: number, sentAtMs: number): void {
    const entry = this.entries.get(r.id);
    if (!entry || entry.corrected) return;
    this.addDay(entry.epoch, entry.projectId, entry.dayStartMs, 0, tokens - entry.tokens);
    entry.tokens = tokens;
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
    this.addDay(entry.epoch, entry.projectId, entry.dayStartMs, -1, -entry.tokens);
  }

  /** Forgets entries that left every window by `nowMs` (Redis clock) and days older than the current one. */
  prune(nowMs: number, currentDayStartMs: number): void {
    for (const [id, entry] of this.entries) if (entry.atMs + this.spanMs <= nowMs) this.entries.delete(id);
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
        found = { projectId, dayStartMs, day: { requests: 0, tokens: 0 }, entries: [] };
        groups.set(key, found);
      }
      return found;
    };
    for (const [id, entry] of this.entries) {
      if (entry.epoch === epoch) continue;
      const { atMs, tokens, corrected } = entry;
      group(entry.projectId, entry.dayStartMs).entries.push({ id, atMs, tokens, corrected });
    }
    for (const [dayEpoch, counts] of this.days) {
      if (dayEpoch === epoch) continue;
      for (const day of counts.values()) {
        const target = group(day.projectId, day.dayStartMs).day;
        target.requests += day.requests;
        target.tokens += day.tokens;
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
      for (const day of counts.values())
        this.addDay(epoch, day.projectId, day.dayStartMs, day.requests, day.tokens);
    }
  }

  private addDay(
    epoch: string,
    projectId: string,
    dayStartMs: number,
    requests: number,
    tokens: number,
  ): void {
    let counts = this.days.get(epoch);
    if (!counts) this.days.set(epoch, (counts = new Map<string, ProjectDay>()));
    const key = groupKey(projectId, dayStartMs);
    const day = counts.get(key) ?? { projectId, dayStartMs, requests: 0, tokens: 0 };
    day.requests += requests;
    day.tokens += tokens;
    counts.set(key, day);
  }
}
