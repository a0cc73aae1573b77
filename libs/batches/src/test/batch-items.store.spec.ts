import { randomUUID } from 'node:crypto';
import {
  newClientId,
  parsedBatch,
  startBatchesHarness,
  takeItems,
  TEST_MODEL,
  TEST_OWNER,
  type BatchesHarness,
} from './batches-harness';

const origin = { projectId: null, upstreamKeyId: null, promptTokens: 3 };

describe('Backlog and BatchItemsStore (real Postgres)', () => {
  let h: BatchesHarness;

  beforeAll(async () => {
    h = await startBatchesHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  async function newBatch(count: number) {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(count));
    return { clientId, batchId: batch.id };
  }

  it('takes waiting items in line order, pending → running under the lease, moving counts and starting the batch', async () => {
    const { clientId, batchId } = await newBatch(3);
    const taken = await takeItems(h, batchId, 2);
    expect(taken.map((item) => [item.key, item.attempts, item.request])).toEqual([
      ['row-1', 0, { contents: [{ role: 'user', parts: [{ text: 'prompt 1' }] }] }],
      ['row-2', 0, { contents: [{ role: 'user', parts: [{ text: 'prompt 2' }] }] }],
    ]);
    const rows: Array<{ status: string; lease_owner: string | null; taken: boolean }> =
      await h.dataSource.query(
        'SELECT status, lease_owner, taken_at IS NOT NULL AS taken FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
        [batchId],
      );
    expect(rows).toEqual([
      { status: 'running', lease_owner: TEST_OWNER, taken: true },
      { status: 'running', lease_owner: TEST_OWNER, taken: true },
      { status: 'pending', lease_owner: null, taken: false },
    ]);
    const view = await h.service.get(clientId, batchId);
    expect(view).toMatchObject({ status: 'running', counts: { pending: 1, running: 2 } });
    expect(view.startedAt).not.toBeNull();
    expect((await takeItems(h, batchId, 5)).map((item) => item.key)).toEqual(['row-3']);
  });

  it('writes nothing for items admission did not let through: they stay first in line', async () => {
    const { clientId, batchId } = await newBatch(4);
    const taken = await h.backlog.take(batchId, 4, TEST_OWNER, (waiting) => {
      expect(waiting.map((item) => item.lineNo)).toEqual([1, 2, 3, 4]);
      expect(waiting.map((item) => item.estTokens)).toEqual([2, 2, 2, 2]);
      const second = waiting[1];
      return Promise.resolve([
        { id: second.id, projectId: randomUUID(), upstreamKeyId: randomUUID(), slot: 'slot-2' },
      ]);
    });
    expect(taken.map((item) => [item.key, item.slot])).toEqual([['row-2', 'slot-2']]);
    expect((await h.service.get(clientId, batchId)).counts).toMatchObject({ pending: 3, running: 1 });
    expect((await takeItems(h, batchId, 2)).map((item) => item.key)).toEqual(['row-1', 'row-3']);
  });

  it('takers on several processes at once get disjoint items (SKIP LOCKED), each item once', async () => {
    const { clientId, batchId } = await newBatch(60);
    const owners = Array.from({ length: 4 }, () => randomUUID());
    const rounds = await Promise.all(
      owners.flatMap((owner) => [takeItems(h, batchId, 10, owner), takeItems(h, batchId, 10, owner)]),
    );
    const keys = rounds.flat().map((item) => item.key);
    expect(new Set(keys).size).toBe(keys.length);
    const view = await h.service.get(clientId, batchId);
    expect(view.counts.running).toBe(keys.length);
    expect(view.counts.pending).toBe(60 - keys.length);
  });

  it('estimates items stored before estimates existed from their size', async () => {
    const { batchId } = await newBatch(1);
    await h.dataSource.query('UPDATE batch_items SET est_tokens = 0 WHERE batch_id = $1', [batchId]);
    const [{ bytes }]: Array<{ bytes: number }> = await h.dataSource.query(
      'SELECT octet_length(request::text) AS bytes FROM batch_items WHERE batch_id = $1',
      [batchId],
    );
    let estimate = 0;
    await h.backlog.take(batchId, 1, TEST_OWNER, (waiting) => {
      estimate = waiting[0].estTokens;
      return Promise.resolve([]);
    });
    expect(bytes).toBeGreaterThan(40);
    expect(estimate).toBe(Math.floor(bytes / 4));
  });

  it('records each item exactly once when every result is delivered twice at the same time', async () => {
    const { clientId, batchId } = await newBatch(40);
    const items = await takeItems(h, batchId, 40);
    const outcomes = await Promise.all(
      items.flatMap((item) => [
        h.store.succeed(item, { copy: 1 }, origin),
        h.store.succeed(item, { copy: 2 }, origin),
      ]),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(40);
    const view = await h.service.get(clientId, batchId);
    expect(view.status).toBe('completed');
    expect(view.counts).toEqual({
      total: 40,
      pending: 0,
      running: 0,
      succeeded: 40,
      failed: 0,
      cancelled: 0,
    });
    expect(view.completedAt).not.toBeNull();
    expect(view.etaSeconds).toBe(0);
    // A late failure of an already succeeded item changes nothing.
    expect(await h.store.fail(items[0].id, { code: 500, message: 'late', status: 'INTERNAL' })).toBe(false);
    const [row] = await h.dataSource.query('SELECT status, error FROM batch_items WHERE id = $1', [
      items[0].id,
    ]);
    expect(row).toEqual({ status: 'succeeded', error: null });
  });

  it('success and failure racing on one item: exactly one wins and is counted', async () => {
    const { clientId, batchId } = await newBatch(20);
    const items = await takeItems(h, batchId, 20);
    const results = await Promise.all(
      items.flatMap((item) => [
        h.store.succeed(item, { ok: 1 }, origin),
        h.store.fail(item.id, { code: 400, message: 'no', status: 'INVALID_ARGUMENT' }),
      ]),
    );
    expect(results.filter(Boolean)).toHaveLength(20);
    const view = await h.service.get(clientId, batchId);
    expect(view.counts.succeeded + view.counts.failed).toBe(20);
    const [{ n }] = await h.dataSource.query(
      `SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1 AND ((response IS NULL) = (error IS NULL))`,
      [batchId],
    );
    expect(n).toBe(0); // every item holds exactly one of response / error
    expect(view.status).toBe('completed');
  });

  it('sends a running item back to waiting only for its lease owner, and counts attempts only when asked', async () => {
    const { clientId, batchId } = await newBatch(1);
    const [item] = await takeItems(h, batchId, 1);
    expect(await h.store.useAttempt(item.id)).toBe(1);
    expect(await h.store.release([item.id], randomUUID())).toEqual([]); // someone else's item
    expect(await h.store.release([item.id], TEST_OWNER)).toEqual([
      { batchId, model: TEST_MODEL, clientId, priority: 0 },
    ]);
    expect(await h.store.release([item.id], TEST_OWNER)).toEqual([]);
    expect(await h.store.useAttempt(item.id)).toBeNull(); // not running
    expect((await h.service.get(clientId, batchId)).counts).toMatchObject({ pending: 1, running: 0 });
    const [again] = await takeItems(h, batchId, 1);
    expect(again).toMatchObject({ id: item.id, attempts: 1 });
  });

  it('a running item released after its batch was cancelled is cancelled, and the batch is done', async () => {
    const { clientId, batchId } = await newBatch(2);
    const [item] = await takeItems(h, batchId, 1);
    await h.service.cancel(clientId, batchId);
    expect(await h.store.release([item.id], TEST_OWNER)).toEqual([]); // nothing waits again
    const view = await h.service.get(clientId, batchId);
    expect(view).toMatchObject({ status: 'cancelled', counts: { pending: 0, running: 0, cancelled: 2 } });
    expect(view.completedAt).not.toBeNull();
  });

  it('records a burst of one batch’s results in few statements, each exactly once, counts exact', async () => {
    const { clientId, batchId } = await newBatch(60);
    const items = await takeItems(h, batchId, 60);
    const writes = jest.spyOn(h.dataSource, 'query');
    try {
      // Every result delivered twice at once: one of each pair records it.
      const recorded = await Promise.all(
        items.flatMap((item, i) => [
          h.store.succeed(item, { copy: 1, i }, origin),
          h.store.succeed(item, { copy: 2, i }, origin),
        ]),
      );
      expect(recorded.filter(Boolean)).toHaveLength(60);
      expect(writes.mock.calls.length).toBeLessThanOrEqual(4); // grouped, not 120 statements
    } finally {
      writes.mockRestore();
    }
    const view = await h.service.get(clientId, batchId);
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ pending: 0, running: 0, succeeded: 60 });
    const rows: Array<{ line_no: number; response: { i: number } }> = await h.dataSource.query(
      'SELECT line_no, response FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
      [batchId],
    );
    expect(rows.map((row) => row.response.i)).toEqual(rows.map((row) => row.line_no - 1));
  });

  it('reports a batch’s counters for the dispatcher (nothing waiting → it leaves the rotation)', async () => {
    const { batchId } = await newBatch(2);
    expect(await h.backlog.state(batchId)).toEqual({
      model: TEST_MODEL,
      pending: 2,
      running: 0,
      status: 'queued',
    });
    await takeItems(h, batchId, 2);
    expect(await h.backlog.state(batchId)).toMatchObject({ pending: 0, running: 2, status: 'running' });
    expect(await h.backlog.state(randomUUID())).toBeNull();
  });
});
