/** One status read of a batch while it is watched. */
export interface BatchSnapshot {
  status: string;
  counts: {
    total: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    cancelled: number;
  };
  etaSeconds: number | null;
}

/** What `watch` shows: done out of total, and the rate since it began watching. */
export interface Progress {
  done: number;
  total: number;
  percent: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

/** Progress from the first and the latest snapshot, `elapsedMs` apart. */
export function progressOf(first: BatchSnapshot, latest: BatchSnapshot, elapsedMs: number): Progress {
  const doneOf = (s: BatchSnapshot) => s.counts.succeeded + s.counts.failed + s.counts.cancelled;
  const done = doneOf(latest);
  const total = latest.counts.total;
  const ratePerSecond = elapsedMs > 0 ? ((done - doneOf(first)) * 1000) / elapsedMs : 0;
  const open = total - done;
  // keyfleet's ETA knows the pool's quotas (the wait for room), the rate seen here knows the answers'
  // latency: the later of the two.
  const byRate = ratePerSecond > 0 ? open / ratePerSecond : null;
  const byPool = latest.etaSeconds;
  const etaSeconds =
    open === 0 ? 0 : byRate === null ? byPool : byPool === null ? byRate : Math.max(byRate, byPool);
  return {
    done,
    total,
    percent: total > 0 ? Math.floor((done * 100) / total) : 100,
    ratePerSecond,
    etaSeconds,
  };
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The line beside the bar: counts, rate, ETA. */
export function countsLine(snapshot: BatchSnapshot, progress: Progress): string {
  const c = snapshot.counts;
  return (
    `${progress.done}/${progress.total} | ok ${c.succeeded} failed ${c.failed} running ${c.running} ` +
    `pending ${c.pending} | ${progress.ratePerSecond.toFixed(1)}/s | ETA ${formatDuration(progress.etaSeconds)}`
  );
}
