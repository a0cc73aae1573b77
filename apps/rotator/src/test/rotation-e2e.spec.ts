/* eslint-disable @nx/enforce-module-boundaries, @typescript-eslint/no-explicit-any -- the end-to-end test runs api, worker and rotator together and reads JSON answers */
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import type { KeyfleetConfig } from '@keyfleet/config';
import { expectedRestrictions, KeyIssuers } from '@keyfleet/issuers';
import { UpstreamKeysService } from '@keyfleet/registry';
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

jest.setTimeout(90_000);

const MODEL = 'gemini-2.5-flash';
const GCP = 'kf-e2e-alpha';

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('rotation end to end: api + worker + rotator + simulator', () => {
  let sim: SpawnedSimulator;
  let db: TestDatabase;
  let sql: DataSource;
  let config: KeyfleetConfig;
  let api: NestExpressApplication;
  let apiUrl: string;
  let worker: INestApplicationContext;
  let rotator: INestApplicationContext;
  let clientKey: string;
  let projectId: string;
  let firstKeyId: string;

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
    }, 60_000);
  const keyRows = () =>
    sql.query<Array<{ id: string; status: string; last_four: string }>>(
      'SELECT id, status, last_four FROM upstream_keys WHERE project_id = $1 ORDER BY issued_at',
      [projectId],
    );

  beforeAll(async () => {
    sim = await spawnSimulator({
      latencyMs: { min: 100, max: 250 },
      projects: [{ id: GCP, limits: { [MODEL]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } } }],
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
      // Three at a time (the safety cap), so that the batch is still running when the rotation happens.
      KF_MAX_IN_FLIGHT: '3',
      KF_LOG_LEVEL: 'silent',
    });
    api = await createApiApp(config);
    await api.listen(0, '127.0.0.1');
    apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    rotator = await NestFactory.createApplicationContext(RotatorModule.forRoot(config), { logger: false });
    await rotator.init();
    const project = await admin('POST', '/projects', {
      name: 'alpha',
      gcpProjectId: GCP,
      issuer: 'google-api-keys',
      serviceAccountEmail: `keyfleet@${GCP}.iam.gserviceaccount.com`,
      egressIps: ['127.0.0.1'],
      limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
    });
    projectId = project.body.id;
    // The project's first key, issued upstream (so that its rotation can delete it there).
    const issued = await rotator
      .get(KeyIssuers)
      .of('google-api-keys')!
      .issue({
        gcpProjectId: GCP,
        keyId: 'kf-e2e-first',
        displayName: 'first',
        restrictions: expectedRestrictions(['127.0.0.1']),
        serviceAccountEmail: `keyfleet@${GCP}.iam.gserviceaccount.com`,
      });
    firstKeyId = (
      await rotator
        .get(UpstreamKeysService)
        .add(projectId, issued.keyString, 'admin', { upstreamName: issued.name })
    ).id;
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

  it('a batch that runs across an admin rotation loses nothing and never uses the deleted key', async () => {
    const batchId = await submit(60, 'across');
    await eventually(async () => {
      const batch = (await http('GET', `/v1/batches/${batchId}`, clientKey)).body;
      return batch.counts.succeeded >= 10 ? true : undefined;
    });
    const rotated = await admin('POST', `/keys/${firstKeyId}/rotate`);
    expect(rotated.status).toBe(202);
    expect(rotated.body.rotation).toMatchObject({ oldKeyId: firstKeyId, reason: 'admin' });

    const batch = await finished(batchId);
    expect(batch.counts).toMatchObject({ total: 60, succeeded: 60, failed: 0 });
    // The rotation completes after its drain: the old key deleted upstream and revoked.
    await eventually(async () => {
      const old = (await admin('GET', `/keys/${firstKeyId}`)).body;
      return old.status === 'revoked' ? true : undefined;
    });
    const rows = await keyRows();
    expect(rows.map((row) => row.status)).toEqual(['revoked', 'active']);
    const stats = await sim.stats();
    expect(stats.totals.errors4xx).toBe(0); // not one request with the deleted key
    expect(stats.keys[rows[0].last_four].requests).toBeGreaterThan(0);
    expect(stats.keys[rows[1].last_four].requests).toBeGreaterThan(0);
    // The 60 items, and the new key's proof before it served (one models.list, no generation quota).
    expect(stats.keys[rows[0].last_four].requests + stats.keys[rows[1].last_four].requests).toBe(61);
    expect(stats.totals.admitted).toBe(60);
    const upstream = (await simApiKeys(sim.url).snapshot()).keys;
    expect(upstream.find((key) => key.name.endsWith('/kf-e2e-first'))?.deleteTime).toEqual(
      expect.any(String),
    );
  });

  it('a leaked-key 403 takes the key out of service and replaces it through the issuer, no admin needed', async () => {
    const [, current] = await keyRows();
    const currentName = (
      await sql.query<Array<{ upstream_name: string }>>(
        'SELECT upstream_name FROM upstream_keys WHERE id = $1',
        [current.id],
      )
    )[0].upstream_name;
    const leaked = (await simApiKeys(sim.url).snapshot()).keys.find((key) => key.name === currentName)!;
    await sim.patchKey(leaked.keyString, { status: 'leaked' });

    const batch = await finished(await submit(5, 'after-leak'));

    expect(batch.counts).toMatchObject({ total: 5, succeeded: 5, failed: 0 });
    const rotation = await eventually(async () => {
      const [row] = await sql.query<Array<{ reason: string; step: string }>>(
        'SELECT reason, step FROM key_rotations WHERE old_key_id = $1',
        [current.id],
      );
      return row?.step === 'done' ? row : undefined;
    });
    expect(rotation.reason).toBe('emergency');
    expect((await keyRows()).map((row) => row.status)).toEqual(['revoked', 'revoked', 'active']);
    const actions = await sql.query<Array<{ action: string; actor: string }>>(
      'SELECT action, actor FROM audit_log WHERE target_id = $1 ORDER BY id',
      [current.id],
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'upstream_key.disabled', actor: 'worker' },
        { action: 'key_rotation.requested', actor: 'worker' },
        { action: 'key_rotation.completed', actor: 'rotator' },
      ]),
    );
    // The leaked key is deleted upstream at once (no drain for a key that serves nothing).
    const upstream = (await simApiKeys(sim.url).snapshot()).keys.find((key) => key.name === currentName);
    expect(upstream?.deleteTime).toEqual(expect.any(String));
  });
});
