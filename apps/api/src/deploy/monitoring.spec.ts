import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { METRICS } from '@keyfleet/observability';
import { findRepoRoot } from '@keyfleet/testing';

const root = findRepoRoot();
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Every metric keyfleet exports: KeyfleetMetrics', the rotator's own, and BullMQ's export. */
function knownMetrics(): Set<string> {
  const rotatorDir = join(root, 'apps/rotator/src');
  const rotatorFiles = readdirSync(rotatorDir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
  );
  const rotator = rotatorFiles.flatMap((file) =>
    [...readFileSync(join(rotatorDir, file), 'utf8').matchAll(/'(keyfleet_[a-z_]+)'/g)].map((m) => m[1]),
  );
  return new Set([
    ...Object.keys(METRICS),
    ...rotator,
    'bullmq_job_count',
    'bullmq_job_completed_total',
    'bullmq_job_failed_total',
  ]);
}

/** Metric names in a PromQL text; a histogram's series (`_bucket`, …) count as the histogram. */
function metricsIn(text: string, known: Set<string>): string[] {
  return [...text.matchAll(/\b((?:keyfleet|bullmq)_[a-z_]+)/g)].map(([, name]) =>
    known.has(name) ? name : name.replace(/_(bucket|count|sum)$/, ''),
  );
}

describe('monitoring: README, alert rules and Grafana dashboard agree with the metrics', () => {
  const known = knownMetrics();

  it('lists every metric in the README', () => {
    const readme = read('README.md');
    expect([...known].filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('has the four alerts asked for and the stopped-rotation one, each on a metric that exists', () => {
    const rules = parse(read('deploy/prometheus/alerts.yml')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([
      'KeyfleetDeadUpstreamKey',
      'KeyfleetProjectAtDailyLimit',
      'KeyfleetRotationOverdue',
      'KeyfleetRotationStopped',
      'KeyfleetUpstream429',
    ]);
    for (const rule of alerts) {
      expect(metricsIn(rule.expr, known).length).toBeGreaterThan(0);
      expect(metricsIn(rule.expr, known).filter((name) => !known.has(name))).toEqual([]);
    }
  });

  it("draws only metrics that exist, and every one of keyfleet's own", () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/keyfleet.json')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const drawn = new Set(
      dashboard.panels.flatMap((panel) => panel.targets.flatMap((t) => metricsIn(t.expr, known))),
    );
    expect([...drawn].filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(METRICS).filter((name) => !drawn.has(name))).toEqual([]);
  });

  it('has Prometheus load the rules and scrape api, worker and rotator', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }>;
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const targets = config.scrape_configs.map((job) => [
      job.dns_sd_configs[0].names[0],
      job.dns_sd_configs[0].port,
    ]);
    expect(targets).toEqual([
      ['api', 8080],
      ['worker', 8081],
      ['rotator', 8082],
    ]);
  });
});
