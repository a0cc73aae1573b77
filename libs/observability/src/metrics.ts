import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;
/** Exposition text from outside prom-client (BullMQ's own export), appended to /metrics. */
const extraSources = new Set<() => Promise<string>>();

/** Process metrics (memory, event loop lag, GC) once per process; keyfleet's own are defined by their owners. */
export function startDefaultMetrics(service: string): void {
  if (collecting) return;
  collecting = true;
  register.setDefaultLabels({ service });
  collectDefaultMetrics();
}

/** Adds exposition text to this process' /metrics; returns a function that removes it. */
export function addMetricsSource(source: () => Promise<string>): () => void {
  extraSources.add(source);
  return () => extraSources.delete(source);
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const extra = await Promise.all([...extraSources].map((source) => source().catch(() => '')));
  const body = [await register.metrics(), ...extra.filter(Boolean)].join('\n');
  return { contentType: register.contentType, body };
}
