import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/** Process metrics (memory, event loop lag, GC) once per process; keyfleet's own are defined by their owners. */
export function startDefaultMetrics(service: string): void {
  if (collecting) return;
  collecting = true;
  register.setDefaultLabels({ service });
  collectDefaultMetrics();
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}
