import type { UsageReport, UsageRow } from '@keyfleet/accounting';

const SUM_COLUMNS = [
  'requests',
  'inputTokens',
  'outputTokens',
  'thinkingTokens',
  'cachedTokens',
  'costMicroUsd',
] as const;

// Each dimension's columns, in the JSON rows' names.
const DIMENSION_COLUMNS: Record<string, Array<keyof UsageRow>> = {
  client: ['clientId', 'clientName'],
  project: ['projectId', 'projectName'],
  model: ['model'],
  day: ['day'],
  lane: ['lane'],
  batch: ['batchId'],
};

/** The report's rows as CSV (RFC 4180): a header of the JSON rows' field names, then one line per row. */
export function usageCsv(report: UsageReport): string {
  const columns = [...report.groupBy.flatMap((dimension) => DIMENSION_COLUMNS[dimension]), ...SUM_COLUMNS];
  const lines = [columns.join(',')];
  for (const row of report.rows) lines.push(columns.map((column) => cell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
