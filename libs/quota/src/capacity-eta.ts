import type { ProjectLimits, ProjectUsage } from './quota-types';

export interface CapacityEtaInput {
  /** Open items this batch waits for: its own and those queued before it for the same model. */
  openRequests: number;
  /** The pool's projects for the model (limits) and what the engine says they used and have left. */
  projects: ReadonlyArray<{ limits: ProjectLimits; usage: ProjectUsage }>;
  nowMs: number;
  /** Start of the next Pacific day (when RPD counters reset). */
  nextDayStartMs: number;
  /** Rolling window length (60 s). */
  windowMs?: number;
}

/**
 * Seconds until `openRequests` more requests have gone out, from the pool's remaining room: what the
 * current window still allows goes at once, the rest at the pool's RPM; requests past today's RPD
 * room wait for the Pacific day to turn. Token limits are not modelled (prompt sizes are unknown
 * until sent). Null when nothing serves the model.
 */
export function capacityEtaSeconds(input: CapacityEtaInput): number | null {
  const windowMs = input.windowMs ?? 60_000;
  const usable = input.projects.filter(
    (p) => p.usage.blockedUntil === null || p.usage.blockedUntil <= input.nowMs,
  );
  const rpm = usable.reduce((sum, p) => sum + p.limits.rpm, 0);
  if (input.openRequests <= 0) return 0;
  if (rpm <= 0) return null;
  const roomNow = usable.reduce((sum, p) => sum + Math.max(0, p.usage.remaining.rpm), 0);
  const dayRoom = sumOrInfinity(usable.map((p) => p.usage.remaining.rpd));
  const today = Math.min(input.openRequests, dayRoom);
  let ms = Math.max(0, today - roomNow) * (windowMs / rpm);
  const tomorrow = input.openRequests - today;
  if (tomorrow > 0) {
    const dayStart = Math.max(input.nextDayStartMs - input.nowMs, ms);
    ms = dayStart + Math.max(0, tomorrow - rpm) * (windowMs / rpm);
  }
  return Math.ceil(ms / 1000);
}

function sumOrInfinity(values: ReadonlyArray<number | null>): number {
  return values.some((v) => v === null) ? Infinity : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}
