import type { BatchLane, RunLane } from '@keyfleet/persistence';

/** Google's Batch Mode costs half the interactive price. */
export const ECONOMY_PRICE_FACTOR = 0.5;

/** What a batch runs in, and (for auto) why. */
export interface LaneDecision {
  laneChosen: RunLane;
  laneReason: string | null;
  /** What economy saves against live, estimated (US dollars); null when live or the model is unpriced. */
  estimatedSavingUsd: number | null;
}

export interface LaneRequest {
  lane: BatchLane;
  deadline: Date | null;
  /** The batch at live prices, estimated; null when the model has no price. */
  liveCostUsd: number | null;
  /** Batch Mode's turnaround to plan with (KF_BATCH_MODE_TURNAROUND_MS). */
  turnaroundMs: number;
  now?: Date;
}

export const LIVE_DECISION: LaneDecision = { laneChosen: 'live', laneReason: null, estimatedSavingUsd: null };

/**
 * live and economy are taken as asked. auto takes economy when the deadline (if any) leaves Batch Mode's
 * whole turnaround, live otherwise, and says why.
 */
export function chooseLane(request: LaneRequest): LaneDecision {
  const saving =
    request.liveCostUsd === null ? null : roundUsd(request.liveCostUsd * (1 - ECONOMY_PRICE_FACTOR));
  if (request.lane === 'live') return LIVE_DECISION;
  if (request.lane === 'economy')
    return { laneChosen: 'economy', laneReason: null, estimatedSavingUsd: saving };
  const turnaround = hours(request.turnaroundMs);
  if (request.deadline === null) {
    return {
      laneChosen: 'economy',
      laneReason: `no deadline: Batch Mode at half price (results within ${turnaround})`,
      estimatedSavingUsd: saving,
    };
  }
  const leftMs = request.deadline.getTime() - (request.now ?? new Date()).getTime();
  if (leftMs >= request.turnaroundMs) {
    return {
      laneChosen: 'economy',
      laneReason: `the deadline (in ${hours(leftMs)}) leaves Batch Mode's ${turnaround} turnaround: half price`,
      estimatedSavingUsd: saving,
    };
  }
  return {
    laneChosen: 'live',
    laneReason: `the deadline (in ${hours(leftMs)}) is sooner than Batch Mode's ${turnaround} turnaround`,
    estimatedSavingUsd: null,
  };
}

function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** "24 h", "1.5 h", or seconds under a minute (tests run Batch Mode on a short clock). */
function hours(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
}
