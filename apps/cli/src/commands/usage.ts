import { answer, connect, type GlobalOptions } from '../connection';
import type { components } from '../generated/keyfleet-api';
import { CliError, ExitCode } from '../exit-codes';
import { emit, table } from '../output';

export interface UsageOptions extends GlobalOptions {
  groupBy?: string;
  from?: string;
  to?: string;
}

type Row = components['schemas']['Usage']['rows'][number];

const DIMENSION_LABELS: Record<string, (row: Row) => string | undefined> = {
  client: (row) => row.clientName ?? row.clientId,
  project: (row) => row.projectName ?? row.projectId,
  model: (row) => row.model,
  day: (row) => row.day,
  lane: (row) => row.lane,
  batch: (row) => row.batchId ?? '(interactive)',
};

const usd = (micros: number) => `$${(micros / 1e6).toFixed(4)}`;

/** Accounting: requests, tokens and cost grouped as asked (default per client, this month), with totals. */
export async function usage(options: UsageOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  const query = { groupBy: options.groupBy, from: options.from, to: options.to, format: 'json' as const };
  const report = await answer(api.GET('/admin/v1/usage', { params: { query } }));
  if (typeof report === 'string') throw new CliError(ExitCode.Failure, 'keyfleet answered CSV, not JSON');
  emit(options.json, report, () => {
    const head = [...report.groupBy, 'requests', 'input', 'output', 'thinking', 'cached', 'cost'];
    const sums = (row: typeof report.totals) => [
      row.requests,
      row.inputTokens,
      row.outputTokens,
      row.thinkingTokens,
      row.cachedTokens,
      usd(row.costMicroUsd),
    ];
    const rows = report.rows.map((row) => [
      ...report.groupBy.map((dimension) => DIMENSION_LABELS[dimension](row) ?? ''),
      ...sums(row),
    ]);
    const total = [...report.groupBy.map((_, i) => (i === 0 ? 'total' : '')), ...sums(report.totals)];
    return `${report.from} – ${report.to}\n${table(head, [...rows, total])}`;
  });
}
