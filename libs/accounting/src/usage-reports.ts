import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { hourRange } from './usage-range';
import { USAGE_IN_RANGE_SQL } from './usage-sql';

/** What usage can be grouped by (several at once: one row per combination). */
export const USAGE_DIMENSIONS = ['client', 'project', 'model', 'day', 'lane', 'batch'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export interface UsageQuery {
  from: Date;
  to: Date;
  groupBy: readonly UsageDimension[];
  /** Only this client's usage (a client reading its own). */
  clientId?: string;
}

export interface UsageSums {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  thinkingTokens: number;
  cachedTokens: number;
  costMicroUsd: number;
}

/** One group: the values of its dimensions (only those grouped by) and its sums. */
export interface UsageRow extends UsageSums {
  clientId?: string;
  clientName?: string | null;
  projectId?: string;
  projectName?: string | null;
  model?: string;
  /** YYYY-MM-DD (UTC). */
  day?: string;
  lane?: string;
  batchId?: string | null;
}

export interface UsageReport {
  /** The range counted: whole UTC hours, `from` rounded down and `to` up. */
  from: string;
  to: string;
  groupBy: UsageDimension[];
  rows: UsageRow[];
  /** The sums over the range (equal to the sum of the rows: computed in the same query). */
  totals: UsageSums;
}

// Each dimension: its output columns (SQL expression AS alias) and what it sorts and groups by.
const DIMENSION_SQL: Record<UsageDimension, { select: string[]; group: string[] }> = {
  client: {
    select: ['u.client_id AS "clientId"', 'c.name AS "clientName"'],
    group: ['u.client_id', 'c.name'],
  },
  project: {
    select: ['u.project_id AS "projectId"', 'p.name AS "projectName"'],
    group: ['u.project_id', 'p.name'],
  },
  model: { select: ['u.model AS model'], group: ['u.model'] },
  day: {
    select: [`to_char(u.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day`],
    group: [`to_char(u.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD')`],
  },
  lane: { select: ['u.lane AS lane'], group: ['u.lane'] },
  batch: { select: ['u.batch_id AS "batchId"'], group: ['u.batch_id'] },
};

const SUM_COLUMNS: Record<keyof UsageSums, string> = {
  requests: 'requests',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  thinkingTokens: 'thinking_tokens',
  cachedTokens: 'cached_tokens',
  costMicroUsd: 'cost_micro_usd',
};
const SUM_KEYS = Object.keys(SUM_COLUMNS) as Array<keyof UsageSums>;

/** Usage reports over the rollups and the raw rows not rolled up yet, grouped as asked. */
@Injectable()
export class UsageReports {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(query: UsageQuery): Promise<UsageReport> {
    const range = hourRange(query.from, query.to);
    const groupBy = [...new Set(query.groupBy)];
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(reportSql(groupBy), [
      range.from,
      range.to,
      query.clientId ?? null,
    ]);
    const totalRow = rows.find((row) => row['is_total'] === true);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      groupBy,
      rows: rows.filter((row) => row['is_total'] !== true).map((row) => rowOf(row, groupBy)),
      totals: totalRow ? sumsOf(totalRow) : emptySums(),
    };
  }
}

/** One query: the groups and the grand total (GROUPING SETS), over one snapshot. */
function reportSql(groupBy: readonly UsageDimension[]): string {
  const dims = groupBy.map((dimension) => DIMENSION_SQL[dimension]);
  const group = dims.flatMap((dim) => dim.group);
  const sums = SUM_KEYS.map((key) => `SUM(u.${SUM_COLUMNS[key]})::text AS "${key}"`);
  const isTotal = group.length ? `GROUPING(${group[0]}) = 1` : 'true';
  return `
WITH u AS (${USAGE_IN_RANGE_SQL})
SELECT ${[...dims.flatMap((dim) => dim.select), ...sums, `${isTotal} AS is_total`].join(', ')}
FROM u LEFT JOIN clients c ON c.id = u.client_id LEFT JOIN projects p ON p.id = u.project_id
${group.length ? `GROUP BY GROUPING SETS ((${group.join(', ')}), ())` : ''}
${group.length ? `ORDER BY ${group.map((column) => `${column} NULLS FIRST`).join(', ')}` : ''}`;
}

function rowOf(row: Record<string, unknown>, groupBy: readonly UsageDimension[]): UsageRow {
  const out: Record<string, unknown> = {};
  for (const dimension of groupBy)
    for (const select of DIMENSION_SQL[dimension].select) {
      const alias = /AS "?(\w+)"?$/.exec(select)?.[1] ?? dimension;
      out[alias] = row[alias] ?? null;
    }
  return { ...(out as Partial<UsageRow>), ...sumsOf(row) };
}

function sumsOf(row: Record<string, unknown>): UsageSums {
  const sums = emptySums();
  for (const key of SUM_KEYS) sums[key] = Number(row[key] ?? 0);
  return sums;
}

function emptySums(): UsageSums {
  return {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    thinkingTokens: 0,
    cachedTokens: 0,
    costMicroUsd: 0,
  };
}
