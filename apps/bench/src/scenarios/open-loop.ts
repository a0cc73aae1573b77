import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface OpenLoopTarget {
  url: string;
  key: string;
  body: string;
}

export interface OpenLoopRun {
  latencies: number[];
  requests: number;
  errors: number;
}

/**
 * Sends at `rate`/s for `durationMs` without waiting for answers (open loop), then waits for them all.
 * node:http over kept-alive sockets rather than fetch: the load generator shares the machine with what it
 * measures, and fetch's per-call garbage gave it GC pauses of 20-50 ms that landed in the measured tail.
 */
export async function openLoop(
  target: OpenLoopTarget,
  agent: Agent,
  rate: number,
  durationMs: number,
): Promise<OpenLoopRun> {
  const url = new URL(target.url);
  const body = Buffer.from(target.body);
  const options = {
    agent,
    method: 'POST',
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers: {
      'x-goog-api-key': target.key,
      'content-type': 'application/json',
      'content-length': body.length,
    },
  };
  const run: OpenLoopRun = { latencies: [], requests: 0, errors: 0 };
  let pending = 0;
  let allSent = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const done = (started: number, ok: boolean) => {
    if (ok) run.latencies.push(performance.now() - started);
    else run.errors++;
    if (--pending === 0 && allSent) finish();
  };
  const send = () => {
    const started = performance.now();
    pending++;
    const outgoing = request(options, (incoming) => {
      incoming.on('data', () => undefined);
      incoming.on('end', () => done(started, incoming.statusCode === 200));
      incoming.on('error', () => done(started, false));
    });
    outgoing.on('error', () => done(started, false));
    outgoing.end(body);
  };
  const total = Math.round((rate * durationMs) / 1000);
  const started = performance.now();
  while (run.requests < total) {
    // Catch up with the schedule: timers are coarse, the request times are not.
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; run.requests < due; run.requests++) send();
    // Sleep until the next request is due, not 1 ms at a time: 1,000 wake-ups a second on a machine this
    // small weighed on the very processes being measured.
    const nextDueMs = started + (run.requests * 1000) / rate - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDueMs)));
  }
  allSent = true;
  if (pending > 0) await finished;
  return run;
}
