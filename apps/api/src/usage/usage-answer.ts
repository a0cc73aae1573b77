import type { Request, Response } from 'express';
import { monthOf, type UsageDimension, type UsageQuery, type UsageReport } from '@keyfleet/accounting';
import type { UsageQueryInput } from '../openapi/schemas/usage';
import { usageCsv } from './usage-csv';

/** The report query from the validated input: this month by default, grouped by `fallback` when not said. */
export function usageQueryOf(
  input: UsageQueryInput,
  fallback: UsageDimension,
  clientId?: string,
  now = new Date(),
): UsageQuery {
  const month = monthOf(now);
  return {
    from: input.from ?? month.from,
    to: input.to ?? month.to,
    groupBy: input.groupBy ?? [fallback],
    clientId,
  };
}

/** JSON, or CSV when `?format=csv` or the Accept header prefers text/csv (`?format=json` wins over it). */
export function sendUsage(report: UsageReport, input: UsageQueryInput, req: Request, res: Response): void {
  const csv = input.format
    ? input.format === 'csv'
    : req.accepts(['application/json', 'text/csv']) === 'text/csv';
  if (!csv) {
    res.status(200).json(report);
    return;
  }
  res.status(200).type('text/csv; charset=utf-8').send(usageCsv(report));
}
