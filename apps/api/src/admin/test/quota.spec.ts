import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { QuotaEngine } from '@keyfleet/quota';
import { bootApi, type ApiHarness } from './api-harness';

const MODEL = 'gemini-2.5-flash';
const LIMITS = { rpm: 7, tpm: 70000, rpd: 700 };

describe('admin API: GET /admin/v1/quota (HTTP)', () => {
  const prefix = `kf-test-${randomUUID()}`;
  let api: ApiHarness;
  let redis: Redis;
  let engine: QuotaEngine;
  let busyId: string;
  let idleId: string;

  async function projectWithKey(name: string, secret: string): Promise<string> {
    const project = await api.admin('POST', '/projects', {
      name,
      limits: { [MODEL]: LIMITS },
      spendLimitUsd: 0.001,
    });
    expect(project.status).toBe(201);
    const key = await api.admin('POST', `/projects/${project.body.id}/keys`, { secret });
    expect(key.status).toBe(201);
    return project.body.id as string;
  }

  beforeAll(async () => {
    api = await bootApi({ KF_QUEUE_PREFIX: prefix });
    redis = new Redis('redis://127.0.0.1:6379');
    engine = new QuotaEngine(redis, { prefix });
    busyId = await projectWithKey('usage-busy', 'AQ.Ab8UsageTestSecretBusy0001');
    idleId = await projectWithKey('usage-idle', 'AQ.Ab8UsageTestSecretIdle0002');
  });

  afterAll(async () => {
    const leftovers = await redis.keys(`${prefix}*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    redis.disconnect();
    await api.close();
  });

  it('needs the admin token', async () => {
    const response = await api.call('GET', '/admin/v1/quota');
    expect(response.status).toBe(401);
  });

  it('reports per project and model what the quota engine has counted, what is left, and blocks', async () => {
    const only = {
      model: MODEL,
      candidates: [{ projectId: busyId, ...LIMITS, tpd: null, spendLimit: 1_000 }],
      // $0.30 / $2.50 per million tokens, 10 output tokens expected.
      spend: { input: 0.3, output: 2.5, outputTokens: 10 },
    };
    const first = await engine.reserve({ ...only, estimatedTokens: 100 });
    const second = await engine.reserve({ ...only, estimatedTokens: 50 });
    if (first.kind !== 'reserved' || second.kind !== 'reserved') throw new Error('expected reservations');
    await engine.correct(second.reservation, 30);
    const until = (await engine.nowMs()) + 3_600_000;
    await engine.block(busyId, MODEL, until, 'test');

    const response = await api.admin('GET', '/quota');
    expect(response.status).toBe(200);
    const rows = (response.body.quota as { model: string; projectId: string }[]).filter(
      (row) => row.model === MODEL,
    );
    const busy = rows.find((row) => row.projectId === busyId);
    const idle = rows.find((row) => row.projectId === idleId);
    expect(busy).toEqual({
      projectId: busyId,
      projectName: 'usage-busy',
      model: MODEL,
      limits: { ...LIMITS, tpd: null },
      window: { requests: 2, tokens: 130 },
      today: { requests: 2, tokens: 130 },
      remaining: { rpm: 5, tpm: 69870, rpd: 698, tpd: null },
      blockedUntil: new Date(until).toISOString(),
      // 100 tokens: 30 + 25; 50 corrected to 30 (the output estimate stands): 9 + 25.
      spend: { scope: `p:${busyId}`, windowMicros: 89, todayMicros: 89, remainingMicros: 911 },
    });
    expect(idle).toMatchObject({
      projectName: 'usage-idle',
      window: { requests: 0, tokens: 0 },
      today: { requests: 0, tokens: 0 },
      remaining: { rpm: 7, tpm: 70000, rpd: 700, tpd: null },
      blockedUntil: null,
    });
  });
});
