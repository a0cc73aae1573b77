import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { LeaseRecovery } from '../leases/lease-recovery';
import { call, eventually } from './http-helpers';
import {
  MODEL,
  promptRequest,
  registerClient,
  registerProject,
  simProject,
  startStack,
  type Stack,
} from './stack';

const GOOD = 'AQ.ADispatchGoodKey00000001';
const LEAKED = 'AQ.ADispatchLeakedKey000002';
const UNKNOWN = 'AQ.ADispatchUnknownKey00003'; // the sim has never heard of it: 400 API_KEY_INVALID

interface Item {
  id: string;
  batch_id: string;
  key: string;
  status: string;
  attempts: number;
  error: { code: number; message: string; status: string } | null;
  upstream_key_id: string | null;
}

describe('dispatch: what the worker does with each upstream answer', () => {
  let stack: Stack;
  let clientKey: string;
  let dataSource: DataSource;
  let keyIds: string[];
  let worker: INestApplicationContext;

  beforeAll(async () => {
    stack = await startStack(
      {
        latencyMs: { min: 1, max: 3 },
        projects: [{ ...simProject('sim-d1', [GOOD]), keys: [GOOD, { key: LEAKED, status: 'leaked' }] }],
      },
      { KF_MAX_ATTEMPTS: '3' },
    );
    ({ keyIds } = await registerProject(stack.apiUrl, 'dispatch-project', [UNKNOWN, LEAKED, GOOD]));
    clientKey = await registerClient(stack.apiUrl, 'team-dispatch');
    dataSource = await stack.db.dataSource();
    worker = await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** Leaves the item as a worker killed mid-send does: running, under a lease nobody renews any more. */
  async function runningUnderDeadWorker(item: Item) {
    const dead = randomUUID();
    await dataSource.query(
      `INSERT INTO dispatch_workers (id, name, expires_at) VALUES ($1, 'gone:1', now() - interval '1 second')`,
      [dead],
    );
    await dataSource.query(
      "UPDATE batch_items SET status = 'running', lease_owner = $2, response = NULL, completed_at = NULL WHERE id = $1",
      [item.id, dead],
    );
  }

  async function runBatch(count: number): Promise<Item[]> {
    const created = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: MODEL,
        requests: Array.from({ length: count }, (_, i) => ({
          key: `k${i + 1}`,
          request: promptRequest(`p${i}-${Math.random()}`),
        })),
      },
    });
    expect(created.status).toBe(202);
    const id = (created.body as { id: string }).id;
    await eventually(async () => {
      const batch = (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as {
        status: string;
      };
      return batch.status === 'completed' ? true : undefined;
    });
    return dataSource.query(
      'SELECT id, batch_id, key, status, attempts, error, upstream_key_id FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
      [id],
    );
  }

  it('takes invalid and leaked keys out of service at once (audited) and moves the request to another key', async () => {
    const items = await runBatch(6);
    expect(items.map((item) => [item.status, item.attempts])).toEqual(
      Array.from({ length: 6 }, () => ['succeeded', 0]),
    );
    expect(new Set(items.map((item) => item.upstream_key_id))).toEqual(new Set([keyIds[2]]));
    const keys: Array<{ id: string; status: string; status_reason: string }> = await dataSource.query(
      'SELECT id, status, status_reason FROM upstream_keys ORDER BY status_reason NULLS LAST',
    );
    const byId = new Map(keys.map((key) => [key.id, key]));
    expect(byId.get(keyIds[0])).toMatchObject({
      status: 'disabled',
      status_reason: expect.stringContaining('API_KEY_INVALID'),
    });
    expect(byId.get(keyIds[1])).toMatchObject({
      status: 'disabled',
      status_reason: expect.stringContaining('API_KEY_LEAKED'),
    });
    expect(byId.get(keyIds[2])?.status).toBe('active');
    const audit: Array<{ target_id: string }> = await dataSource.query(
      `SELECT target_id FROM audit_log WHERE action = 'upstream_key.disabled' AND actor = 'worker'`,
    );
    expect(audit.map((row) => row.target_id).sort()).toEqual([keyIds[0], keyIds[1]].sort());
  });

  it('retries a transient 503 with backoff, using attempts', async () => {
    await stack.sim.setFaults({ script: [{ status: 503, count: 2 }] });
    const [item] = await runBatch(1);
    expect(item).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('fails the item with the last error once every attempt is used', async () => {
    const failure = (message: string, status: 500 | 503) => ({
      status,
      count: 1,
      body: { error: { code: status, message, status: status === 500 ? 'INTERNAL' : 'UNAVAILABLE' } },
    });
    await stack.sim.setFaults({
      script: [failure('first', 503), failure('second', 500), failure('The model is overloaded.', 503)],
    });
    const [item] = await runBatch(1);
    expect(item).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' },
    });
  });

  it('fails the item at once with Google’s own error on a client error', async () => {
    const body = {
      error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
    };
    await stack.sim.setFaults({ script: [{ status: 400, count: 1, body }] });
    const [item] = await runBatch(1);
    expect(item).toMatchObject({ status: 'failed', attempts: 0, error: body.error });
  });

  it('puts an item back to wait on a 429 without using an attempt', async () => {
    await stack.sim.resetStats();
    await stack.sim.setFaults({ script: [{ status: 429, count: 2, retryDelay: '0.2s' }] });
    const [item] = await runBatch(1);
    expect(item).toMatchObject({ status: 'succeeded', attempts: 0 });
    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(2);
    expect(stats.totals.admitted).toBe(1);
  });

  it('hands the item of a dead worker back to waiting and sends it again; its result is recorded once', async () => {
    const [item] = await runBatch(1);
    await runningUnderDeadWorker(item);
    await dataSource.query(
      'UPDATE batches SET status = $2, succeeded_count = 0, running_count = 1, completed_at = NULL WHERE id = $1',
      [item.batch_id, 'running'],
    );
    await stack.sim.resetStats();
    const [after] = await eventually(async () => {
      const rows: Item[] = await dataSource.query('SELECT * FROM batch_items WHERE id = $1', [item.id]);
      return rows[0].status === 'succeeded' ? rows : undefined;
    }, 10_000);
    expect(after).toMatchObject({ status: 'succeeded', attempts: 0 });
    const [batch] = await dataSource.query(
      'SELECT status, running_count, succeeded_count FROM batches WHERE id = $1',
      [item.batch_id],
    );
    expect(batch).toEqual({ status: 'completed', running_count: 0, succeeded_count: 1 });
    expect((await stack.sim.stats()).totals.admitted).toBe(1);
    expect(await worker.get(LeaseRecovery).runOnce()).toBe(0); // nothing left to hand back
  }, 20_000);

  it('a dead worker’s item of a cancelled batch is cancelled when handed back, so the batch ends', async () => {
    const [item] = await runBatch(1);
    await runningUnderDeadWorker(item);
    await dataSource.query(
      "UPDATE batches SET status = 'cancelled', succeeded_count = 0, running_count = 1, completed_at = NULL WHERE id = $1",
      [item.batch_id],
    );
    await stack.sim.resetStats();
    const [batch] = await eventually(async () => {
      const rows: Array<{ running_count: number; completed_at: Date | null }> = await dataSource.query(
        'SELECT status, running_count, cancelled_count, completed_at FROM batches WHERE id = $1',
        [item.batch_id],
      );
      return rows[0].running_count === 0 ? rows : undefined;
    }, 10_000);
    expect(batch).toMatchObject({ status: 'cancelled', running_count: 0, cancelled_count: 1 });
    expect(batch.completed_at).not.toBeNull();
    expect((await stack.sim.stats()).totals.requests).toBe(0);
  }, 20_000);
});
