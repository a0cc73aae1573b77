// The admission decision at arrival: does this request keep every window within its limit?
import type { SimModelLimits, SimWindowMode } from '@keyfleet/testing';
import type { QuotaDimension } from './quota-ids';
import { MINUTE_MS, WindowTracker } from './window-tracker';

export interface QuotaRefusal {
  dimensions: QuotaDimension[];
  /** Milliseconds until every violated window has room for this request. */
  retryAfterMs: number;
}

/** Checks one request of `tokens` input tokens against `limits`; `windows` must be advanced to `now`. */
export function checkQuota(
  windows: WindowTracker,
  limits: SimModelLimits,
  mode: SimWindowMode,
  now: number,
  tokens: number,
): QuotaRefusal | null {
  const freeAt: Partial<Record<QuotaDimension, number>> = {};
  const minute =
    mode === 'rolling' ? rollingMinute(windows, limits, now, tokens) : clockMinute(windows, limits, tokens);
  if (minute.rpm !== undefined) freeAt.rpm = minute.rpm;
  if (minute.tpm !== undefined) freeAt.tpm = minute.tpm;
  if (windows.dayRequests + 1 > limits.rpd) freeAt.rpd = windows.dayEnd;
  if (limits.tpd !== undefined && windows.dayTokens + tokens > limits.tpd) freeAt.tpd = windows.dayEnd;
  const dimensions = Object.keys(freeAt) as QuotaDimension[];
  if (dimensions.length === 0) return null;
  const latest = Math.max(...dimensions.map((dimension) => freeAt[dimension] ?? now));
  return { dimensions, retryAfterMs: Math.max(1, latest - now) };
}

type MinuteFreeAt = { rpm?: number; tpm?: number };

function rollingMinute(
  windows: WindowTracker,
  limits: SimModelLimits,
  now: number,
  tokens: number,
): MinuteFreeAt {
  const result: MinuteFreeAt = {};
  const requests = windows.rollingRequests;
  // A request that can never fit (limit 0, or more tokens than the limit) is told "in a minute".
  if (requests + 1 > limits.rpm) {
    result.rpm =
      limits.rpm === 0 ? now + MINUTE_MS : windows.rollingFreesRequestsAt(requests + 1 - limits.rpm);
  }
  if (windows.rollingTokens + tokens > limits.tpm) {
    const excess = windows.rollingTokens + tokens - limits.tpm;
    result.tpm = tokens > limits.tpm ? now + MINUTE_MS : windows.rollingFreesTokensAt(excess);
  }
  return result;
}

function clockMinute(windows: WindowTracker, limits: SimModelLimits, tokens: number): MinuteFreeAt {
  const result: MinuteFreeAt = {};
  if (windows.minuteRequests + 1 > limits.rpm) result.rpm = windows.minuteEnd;
  if (windows.minuteTokens + tokens > limits.tpm) result.tpm = windows.minuteEnd;
  return result;
}
