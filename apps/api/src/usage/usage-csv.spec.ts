import { parse } from 'csv-parse/sync';
import type { UsageReport } from '@keyfleet/accounting';
import { usageCsv } from './usage-csv';

const sums = {
  requests: 2,
  inputTokens: 10,
  outputTokens: 4,
  thinkingTokens: 1,
  cachedTokens: 0,
  costMicroUsd: 13.5,
};

describe('usageCsv', () => {
  it('writes the rows under the JSON field names, quoting what needs it', () => {
    const report: UsageReport = {
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
      groupBy: ['client', 'batch'],
      rows: [
        { clientId: 'c1', clientName: 'Team "A", research', batchId: null, ...sums },
        { clientId: 'c2', clientName: null, batchId: 'b1', ...sums, costMicroUsd: 0.000001 },
      ],
      totals: { ...sums, requests: 4, costMicroUsd: 13.500001 },
    };
    const csv = usageCsv(report);
    expect(csv.split('\r\n')[0]).toBe(
      'clientId,clientName,batchId,requests,inputTokens,outputTokens,thinkingTokens,cachedTokens,costMicroUsd',
    );
    expect(csv).toContain('c1,"Team ""A"", research",,2,');
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((row) => [row['clientName'], row['batchId'], row['costMicroUsd']])).toEqual([
      ['Team "A", research', '', '13.5'],
      ['', 'b1', '0.000001'],
    ]);
  });
});
