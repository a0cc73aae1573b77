import type { SimStats } from '@keyfleet/testing';
import { DEMO_MODEL, DEMO_PROJECTS } from './demo-pool';

export interface BatchStatus {
  id: string;
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

export function progressLine(batch: BatchStatus, elapsedMs: number, stats: SimStats): string {
  const { counts } = batch;
  const done = counts.succeeded + counts.failed + counts.cancelled;
  const width = 30;
  const filled = Math.round((done / counts.total) * width);
  const perProject = DEMO_PROJECTS.map(
    (p) => `${p.name.replace('demo-', '')} ${stats.projects[p.name]?.[DEMO_MODEL]?.admitted ?? 0}`,
  ).join(' · ');
  return (
    `  ${(elapsedMs / 1000).toFixed(0).padStart(3)}s [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
    `${done}/${counts.total} done (${counts.succeeded} ok, ${counts.failed} failed, ${counts.running} running) ` +
    `| upstream: ${perProject} | 429s: ${stats.totals.refused429}`
  );
}

export function quotaTable(stats: SimStats): string {
  const rows = DEMO_PROJECTS.map((project) => {
    const s = stats.projects[project.name]?.[DEMO_MODEL];
    return [
      project.name,
      String(project.rpm),
      String(s?.admitted ?? 0),
      `${s?.maxRequestsInRollingWindow ?? 0} / ${project.rpm}`,
      `${s?.maxTokensInRollingWindow ?? 0} / ${s?.limits.tpm ?? '-'}`,
      `${s?.requestsToday ?? 0} / ${s?.limits.rpd ?? '-'}`,
      String(s?.refused429 ?? 0),
      s?.overLimit ? 'OVER' : 'within',
    ];
  });
  const header = ['project', 'rpm', 'requests', 'max req/60s', 'max tokens/60s', 'today', '429s', 'limits'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const format = (r: string[]) => '  ' + r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}
