import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { addMetricsSource } from '@keyfleet/observability';
import { QueueDiscovery } from './queue-discovery';

/**
 * BullMQ's own Prometheus export (`bullmq_job_count{queue,state}`, completed and failed totals) for
 * every queue that exists, appended to the api's /metrics.
 */
@Injectable()
export class BullMqMetrics implements OnModuleInit, OnModuleDestroy {
  private remove: (() => void) | undefined;

  constructor(private readonly discovery: QueueDiscovery) {}

  onModuleInit(): void {
    this.remove = addMetricsSource(() => this.exposition());
  }

  onModuleDestroy(): void {
    this.remove?.();
  }

  async exposition(): Promise<string> {
    const queues = await this.discovery.discover();
    return mergeExpositions(await Promise.all(queues.map((queue) => queue.exportPrometheusMetrics())));
  }
}

/**
 * Joins per-queue expositions, keeping one HELP and TYPE line per metric (Prometheus refuses repeats),
 * without the spaces BullMQ puts between labels (strict parsers refuse them).
 */
export function mergeExpositions(texts: string[]): string {
  const headers = new Map<string, string[]>();
  const samples = new Map<string, string[]>();
  for (const line of texts.flatMap((text) => text.split('\n')).filter(Boolean)) {
    const header = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    const name = header?.[1] ?? /^[^{\s]+/.exec(line)?.[0] ?? '';
    if (!samples.has(name)) samples.set(name, []);
    if (header) {
      const known = headers.get(name) ?? [];
      if (!known.some((h) => h.slice(0, 6) === line.slice(0, 6))) known.push(line);
      headers.set(name, known);
    } else samples.get(name)?.push(line.replace(/",\s+/g, '",')); // BullMQ writes `a="x", b="y"`
  }
  return [...samples.keys()]
    .flatMap((name) => [...(headers.get(name) ?? []), ...(samples.get(name) ?? [])])
    .join('\n');
}
