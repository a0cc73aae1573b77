/* eslint-disable @nx/enforce-module-boundaries, @typescript-eslint/no-explicit-any -- the end-to-end test runs api, worker and rotator together and reads JSON answers */
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import type { KeyfleetConfig } from '@keyfleet/config';
import {
  createTestDatabase,
  simApiKeys,
  spawnSimulator,
  TEST_ADMIN_TOKEN,
  testConfig,
  writeExternalAccountFile,
  type SpawnedSimulator,
  type TestDatabase,
} from '@keyfleet/testing';
import { createApiApp } from '../../../api/src/create-api-app';
import { WorkerModule } from '../../../worker/src/worker.module';
import { RotatorModule } from '../rotator.module';

jest.setTimeout(120_000);

const MODEL = 'gemini-2.5-flash';
const LIMITS = { [MODEL]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } };
const MIGRATING = 'kf-e2e-migrate';
const REFUSING = 'kf-e2e-refused';
const STANDARD = [
  'AIzaSyMigrateStandardKeyOne01',
  'AIzaSyMigrateStandardKeyTwo02',
  'AIzaSyMigrateStandardKeyThr03',
];
const REFUSED = 'AIzaSyRefusedStandardKey00004';

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('auth keys end to end: migration and refused standard keys (api + worker + rotator + simulator)', () => {
  let sim: SpawnedSimulator;
  let db: TestDatabase;
  let sql: DataSource;
  let config: KeyfleetConfig;
  let api: NestExpressApplication;
  let apiUrl: string;
  let worker: INestApplicationContext;
  let rotator: INestApplicationContext;
  let clientKey: string;
  let migratingId: string;

  const http = async (method: string, path: string, token: string, json?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
  const admin = (method: string, path: string, json?: unknown) =>
    http(method, `/admin/v1${path}`, TEST_ADMIN_TOKEN, json);
  const submit = async (count: number, tag: string) => {
    const requests = Array.from({ length: count }, (_, i) => ({
      key: `${tag}-${i}`,
      request: { contents: [{ role: 'user', parts: [{ text: `${tag} ${i}` }] }] },
    }));
    const created = await http('POST', '/v1/batches', clientKey, { model: MODEL, requests });
    expect(created.status).toBe(202);
    return created.body.id as string;
  };
  const finished = (batchId: string) =>
    eventually(async () => {
      const batch = (await http('GET', `/v1/batches/${batchId}`, clientKey)).body;
      return batch.status === 'completed' ? batch : undefined;
    }, 90_000);
  const itemsOf = (batchId: string) =>
    sql.query<Array<{ status: string; attempts: number }>>(
      'SELECT status, attempts FROM batch_items WHERE batch_id = $1',
      [batchId],
    );
  const issuerProject = async (gcpProjectId: string) =>
    (
      await admin('POST', '/projects', {
        name: gcpProjectId,
        gcpProjectId,
        issuer: 'google-api-keys',
        serviceAccountEmail: `keyfleet@${gcpProjectId}.iam.gserviceaccount.com`,
        egressIps: ['127.0.0.1'],
        limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
      })
    ).body.id as string;
  const keysOf = async (projectId: string) =>
    (await admin('GET', `/keys?projectId=${projectId}`)).body.keys as Array<{
      id: string;
      type: string;
      status: string;
    }>;

  beforeAll(async () => {
    sim = await spawnSimulator({
      latencyMs: { min: 100, max: 250 },
      projects: [
        { id: MIGRATING, limits: LIMITS, keys: STANDARD },
        { id: REFUSING, limits: LIMITS, keys: [REFUSED] },
      ],
      // Before 19 June 2026: the standard keys still work while they are migrated.
      keyPolicy: { standardKeys: 'accepted' },
    });
    db = await createTestDatabase();
    sql = await db.dataSource();
    config = testConfig({
      DATABASE_URL: db.url,
      GEMINI_BASE_URL: sim.url,
      GOOGLE_APIKEYS_BASE_URL: sim.url,
      GOOGLE_APPLICATION_CREDENTIALS: writeExternalAccountFile(sim.url),
      KF_EGRESS_IPS: '127.0.0.1',
      // Longer than the pool cache (2 s) plus the slowest request: nothing in flight outlives the drain.
      KF_ROTATION_GRACE_SECONDS: '4',
      // Three at a time, so that the batch is still running while keys change under it.
      KF_MAX_IN_FLIGHT: '3',
      KF_LOG_LEVEL: 'silent',
    });
    api = await createApiApp(config);
    await api.listen(0, '127.0.0.1');
    apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    rotator = await NestFactory.createApplicationContext(RotatorModule.forRoot(config), { logger: false });
    await rotator.init();
    clientKey = (await admin('POST', '/clients', { name: 'team', allowedIps: ['127.0.0.1'] })).body.key;
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, {
        timing: { retryBaseMs: 50, retryMaxMs: 200, noCapacityWaitMs: 200, modelsRefreshMs: 200 },
      }),
      { logger: false },
    );
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await rotator?.close();
    await api?.close();
    await sim?.stop();
    await db?.drop();
  });

  it('migrates a project with three standard keys to three auth keys while a batch runs: nothing lost or failed', async () => {
    const projectId = await issuerProject(MIGRATING);
    migratingId = projectId;
    for (const secret of STANDARD) {
      const added = await admin('POST', `/projects/${projectId}/keys`, { secret });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ type: 'standard', warning: expect.stringContaining('refuses') });
    }
    const batchId = await submit(60, 'migrating');
    await eventually(async () => {
      const batch = (await http('GET', `/v1/batches/${batchId}`, clientKey)).body;
      return batch.counts.succeeded >= 10 ? true : undefined;
    });

    const migrated = await admin('POST', '/keys/migrate', { projectId });

    expect(migrated.status).toBe(202);
    expect(migrated.body.requested).toHaveLength(3);
    const batch = await finished(batchId);
    expect(batch.counts).toMatchObject({ total: 60, succeeded: 60, failed: 0 });
    expect((await itemsOf(batchId)).every((item) => item.attempts === 0)).toBe(true);
    const keys = await eventually(async () => {
      const all = await keysOf(projectId);
      return all.filter((key) => key.status === 'revoked').length === 3 ? all : undefined;
    });
    expect(keys.map((key) => [key.type, key.status]).sort()).toEqual([
      ['auth', 'active'],
      ['auth', 'active'],
      ['auth', 'active'],
      ['standard', 'revoked'],
      ['standard', 'revoked'],
      ['standard', 'revoked'],
    ]);
    const upstream = (await simApiKeys(sim.url).snapshot()).keys.filter((key) =>
      key.name.startsWith(`projects/${MIGRATING}/`),
    );
    expect(upstream).toHaveLength(3);
    for (const key of upstream) {
      expect(key.keyString).toMatch(/^AQ\./);
      expect(key.serviceAccountEmail).toBe(`keyfleet@${MIGRATING}.iam.gserviceaccount.com`);
    }
    expect((await sim.stats()).totals.errors4xx).toBe(0);
    const reasons = await sql.query<Array<{ reason: string; step: string }>>(
      'SELECT reason, step FROM key_rotations WHERE project_id = $1',
      [projectId],
    );
    expect(reasons).toEqual(Array.from({ length: 3 }, () => ({ reason: 'migration', step: 'done' })));
    const audit = await admin('GET', '/audit?action=upstream_keys.migration_requested');
    expect(audit.body.entries).toHaveLength(1);
  });

  it('a standard key Google refuses during a batch is replaced by an auth key at once; the batch loses nothing', async () => {
    // Since September 2026: standard keys refused. The migrated project's keys leave the pool, so
    // that every item goes through the refusing project.
    await sim.setKeyPolicy({ standardKeys: 'refused' });
    for (const key of await keysOf(migratingId))
      if (key.status === 'active') await admin('DELETE', `/keys/${key.id}`);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the pools' cache (2 s) forgets them
    const projectId = await issuerProject(REFUSING);
    const refused = (await admin('POST', `/projects/${projectId}/keys`, { secret: REFUSED })).body
      .id as string;
    const createsBefore = (await simApiKeys(sim.url).snapshot()).counts.creates;

    const batchId = await submit(30, 'refused');

    const batch = await finished(batchId);
    expect(batch.counts).toMatchObject({ total: 30, succeeded: 30, failed: 0 });
    expect((await itemsOf(batchId)).every((item) => item.attempts === 0)).toBe(true);
    const [rotation] = await sql.query<Array<{ reason: string; new_key_id: string }>>(
      'SELECT reason, new_key_id FROM key_rotations WHERE old_key_id = $1',
      [refused],
    );
    expect(rotation.reason).toBe('emergency');
    const keys = await eventually(async () => {
      const all = await keysOf(projectId);
      return all.some((key) => key.status === 'revoked') ? all : undefined;
    });
    expect(keys.map((key) => [key.id === refused, key.type, key.status]).sort()).toEqual([
      [false, 'auth', 'active'],
      [true, 'standard', 'revoked'],
    ]);
    const [disabled] = await sql.query<Array<{ details: { reason: string } }>>(
      `SELECT details FROM audit_log WHERE target_id = $1 AND action = 'upstream_key.disabled'`,
      [refused],
    );
    expect(disabled.details.reason).toContain('ACCESS_TOKEN_TYPE_UNSUPPORTED');
    // One replacement, not a chain of them.
    expect((await simApiKeys(sim.url).snapshot()).counts.creates).toBe(createsBefore + 1);
    const stats = await sim.stats();
    expect(stats.keys[REFUSED.slice(-4)].requests).toBeGreaterThanOrEqual(1);
  });
});
