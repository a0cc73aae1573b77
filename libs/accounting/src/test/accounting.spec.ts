import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import { RegistryModule } from '@keyfleet/registry';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { AccountingModule } from '../accounting.module';
import { ClientSpend } from '../client-spend';
import { UsageRecorder } from '../usage-recorder';
import { UsageReports, type UsageReport, type UsageSums } from '../usage-reports';
import { UsageRollup } from '../usage-rollup';
import type { UsageRecordInput } from '../usage-types';

const HOUR = 3_600_000;

describe('accounting (real Postgres): recording, reports, rollup, retention', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let sql: DataSource;
  let recorder: UsageRecorder;
  let reports: UsageReports;
  let rollup: UsageRollup;
  let spend: ClientSpend;
  let config: KeyfleetConfig;
  const [alice, bob] = [randomUUID(), randomUUID()];
  const project = randomUUID();
  const batch = randomUUID();
  const now = Date.now();
  const written: Array<UsageRecordInput & { at: Date }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url, KF_USAGE_RAW_RETENTION_DAYS: '2' });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config),
        RegistryModule,
        AccountingModule,
      ],
    }).compile();
    await moduleRef.init();
    sql = moduleRef.get(DataSource);
    recorder = moduleRef.get(UsageRecorder);
    reports = moduleRef.get(UsageReports);
    rollup = moduleRef.get(UsageRollup);
    spend = moduleRef.get(ClientSpend);
  });

  afterAll(async () => {
    await moduleRef.close();
    await db.drop();
  });

  const sample = (): UsageRecordInput => ({
    clientId: alice,
    batchId: null,
    projectId: project,
    model: 'gemini-2.5-flash',
    lane: 'live',
    surface: 'native',
    inputTokens: 100 + written.length,
    outputTokens: 20,
    thinkingTokens: 5,
    cachedTokens: 0,
    costMicroUsd: 12.345678 + written.length,
  });

  /** Records through the recorder's buffer, then dates it `hoursAgo` back. */
  async function recordAt(hoursAgo: number, rec: Partial<UsageRecordInput>): Promise<void> {
    const full: UsageRecordInput = { ...sample(), ...rec };
    recorder.record(full);
    await recorder.flush();
    const at = new Date(now - hoursAgo * HOUR);
    await sql.query(
      'UPDATE usage_records SET recorded_at = $1 WHERE id = (SELECT max(id) FROM usage_records)',
      [at],
    );
    written.push({ ...full, at });
  }

  const sumOf = (recs: UsageRecordInput[]): UsageSums => ({
    requests: recs.length,
    inputTokens: recs.reduce((n, r) => n + r.inputTokens, 0),
    outputTokens: recs.reduce((n, r) => n + r.outputTokens, 0),
    thinkingTokens: recs.reduce((n, r) => n + r.thinkingTokens, 0),
    cachedTokens: recs.reduce((n, r) => n + r.cachedTokens, 0),
    costMicroUsd: Number(recs.reduce((n, r) => n + r.costMicroUsd, 0).toFixed(6)),
  });
  const range = { from: new Date(now - 100 * HOUR), to: new Date(now + HOUR) };
  const byAll = () =>
    reports.report({ ...range, groupBy: ['client', 'project', 'model', 'day', 'lane', 'batch'] });

  it('buffers records and writes them in one multi-row INSERT within a second', async () => {
    const client = randomUUID();
    for (let i = 0; i < 3; i++) recorder.record({ ...sample(), clientId: client, lane: 'flex' });
    const count = async () =>
      Number((await sql.query('SELECT count(*) FROM usage_records WHERE client_id = $1', [client]))[0].count);
    expect(await count()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await count()).toBe(3);
    await sql.query('DELETE FROM usage_records WHERE client_id = $1', [client]);
  });

  it("writes at once in the caller's transaction: rolled back with it, or committed with it", async () => {
    const client = randomUUID();
    const count = async (): Promise<number> =>
      (
        await sql.query<Array<{ n: number }>>(
          'SELECT count(*)::int AS n FROM usage_records WHERE client_id = $1',
          [client],
        )
      )[0].n;
    const failed = sql.transaction(async (manager) => {
      await recorder.write([{ ...sample(), clientId: client }], manager);
      throw new Error('the result write failed');
    });
    await expect(failed).rejects.toThrow('the result write failed');
    expect(await count()).toBe(0);
    await sql.transaction((manager) => recorder.write([{ ...sample(), clientId: client }], manager));
    expect(await count()).toBe(1);
    await sql.query('DELETE FROM usage_records WHERE client_id = $1', [client]);
  });

  it('writes what it still buffers when the process shuts down', async () => {
    const other = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config),
        RegistryModule,
        AccountingModule,
      ],
    }).compile();
    await other.init();
    const client = randomUUID();
    other.get(UsageRecorder).record({ ...sample(), clientId: client });
    await other.close();
    const rows = await sql.query('SELECT count(*)::int AS n FROM usage_records WHERE client_id = $1', [
      client,
    ]);
    expect(rows[0].n).toBe(1);
    await sql.query('DELETE FROM usage_records WHERE client_id = $1', [client]);
  });

  it('reports groups whose totals equal the sum of the records, and a client only its own', async () => {
    await recordAt(50, { lane: 'economy', batchId: batch, surface: 'batch' });
    await recordAt(50, { lane: 'economy', batchId: batch, surface: 'batch' });
    await recordAt(26, { model: 'gemini-2.5-pro', cachedTokens: 40 });
    await recordAt(3, { clientId: bob, lane: 'flex' });
    await recordAt(0, {});
    const report = await byAll();
    expect(report.totals).toEqual(sumOf(written));
    expect(sumRows(report)).toEqual(report.totals);
    expect(report.rows.map((row) => row.requests)).toEqual(expect.arrayContaining([2, 1]));
    const own = await reports.report({ ...range, groupBy: ['model'], clientId: bob });
    expect(own.totals).toEqual(sumOf(written.filter((rec) => rec.clientId === bob)));
    expect(own.rows).toEqual([{ model: 'gemini-2.5-flash', ...own.totals }]);
  });

  it('answers a client spend (per model too) by whole hours', async () => {
    const aliceRecs = written.filter((rec) => rec.clientId === alice);
    expect(await spend.spentMicroUsd(alice, range.from, range.to)).toBeCloseTo(
      sumOf(aliceRecs).costMicroUsd,
      6,
    );
    const pro = aliceRecs.filter((rec) => rec.model === 'gemini-2.5-pro');
    expect(await spend.spentMicroUsd(alice, range.from, range.to, 'gemini-2.5-pro')).toBeCloseTo(
      sumOf(pro).costMicroUsd,
      6,
    );
    // The last 24 hours: only the record of "now" (its hour counts whole).
    const recent = await spend.spentMicroUsd(alice, new Date(now - 24 * HOUR), new Date(now));
    expect(recent).toBeCloseTo(
      sumOf(aliceRecs.filter((rec) => rec.at.getTime() > now - 24 * HOUR)).costMicroUsd,
      6,
    );
  });

  it('rolls up once however many run at once, and every answer stays the same', async () => {
    const before = await byAll();
    const spentBefore = await spend.spentMicroUsd(alice, range.from, range.to);
    const passes = await Promise.all([rollup.rollUp(), rollup.rollUp(), rollup.rollUp()]);
    await rollup.rollUp();
    expect(passes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(written.length);
    const left = await sql.query('SELECT count(*)::int AS n FROM usage_records WHERE rolled_up = false');
    expect(left[0].n).toBe(0);
    const hourly = await sql.query('SELECT sum(requests)::int AS n FROM usage_hourly');
    expect(hourly[0].n).toBe(written.length);
    expect(await byAll()).toEqual(before);
    expect(await spend.spentMicroUsd(alice, range.from, range.to)).toBe(spentBefore);
    // A record after the rollup adds to the same hour's rollup next time.
    await recordAt(0, { costMicroUsd: 1 });
    expect((await byAll()).totals).toEqual(sumOf(written));
    expect(await rollup.rollUp()).toBe(1);
    expect((await byAll()).totals).toEqual(sumOf(written));
  });

  it('prunes raw rows past their retention only once rolled up; the reports keep them', async () => {
    await recordAt(60, { model: 'not-rolled-yet' });
    const before = await byAll();
    const pruned = await rollup.prune();
    expect(pruned).toBe(2); // the two batch records of 50 hours ago (retention 2 days)
    const raw: Array<{ model: string; rolled_up: boolean }> = await sql.query(
      `SELECT model, rolled_up FROM usage_records WHERE recorded_at < now() - interval '48 hours'`,
    );
    expect(raw).toEqual([{ model: 'not-rolled-yet', rolled_up: false }]);
    expect(await byAll()).toEqual(before);
    await rollup.rollUp();
    expect(await rollup.prune()).toBe(1);
    expect(await byAll()).toEqual(before);
  });
});

function sumRows(report: UsageReport): UsageSums {
  const sums: UsageSums = {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    thinkingTokens: 0,
    cachedTokens: 0,
    costMicroUsd: 0,
  };
  for (const row of report.rows)
    for (const key of Object.keys(sums) as Array<keyof UsageSums>) sums[key] += row[key];
  sums.costMicroUsd = Number(sums.costMicroUsd.toFixed(6));
  return sums;
}
