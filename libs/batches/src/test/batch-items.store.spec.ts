import type { ItemRef } from '../batch-items.store';
import {
  itemIdsOf,
  newClientId,
  parsedBatch,
  startBatchesHarness,
  type BatchesHarness,
} from './batches-harness';

const origin = { projectId: null, upstreamKeyId: null, promptTokens: 3 };

describe('BatchItemsStore (real Postgres)', () => {
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
    const ids = await itemIdsOf(h.dataSource, batch.id);
    return { clientId, batchId: batch.id, ids, items: ids.map((id) => ({ id, batchId: batch.id })) };
  }

  it('claims pending → running, moving counts and starting the batch; a redelivery claims again without counting', async () => {
    const { clientId, batchId, ids, items } = await newBatch(2);
    const claimed = await h.store.claim(items[0]);
    expect(claimed).toEqual({
      id: ids[0],
      batchId,
      key: 'row-1',
      request: { contents: [{ role: 'user', parts: [{ text: 'prompt 1' }] }] },
      attempts: 0,
    });
    expect(await h.store.claim(items[0])).not.toBeNull();
    const view = await h.service.get(clientId, batchId);
    expect(view).toMatchObject({ status: 'running', counts: { pending: 1, running: 1 } });
    expect(view.startedAt).not.toBeNull();
  });

  it('records each item exactly once when every job is delivered twice at the same time', async () => {
    const { clientId, batchId, ids, items } = await newBatch(40);
    const deliver = async (item: ItemRef, copy: number) => {
      if (!(await h.store.claim(item))) return false;
      return h.store.succeed(item, { copy }, origin);
    };
    const outcomes = await Promise.all(items.flatMap((item) => [deliver(item, 1), deliver(item, 2)]));
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
    expect(await h.store.fail(ids[0], { code: 500, message: 'late', status: 'INTERNAL' })).toBe(false);
    const [row] = await h.dataSource.query('SELECT status, error FROM batch_items WHERE id = $1', [ids[0]]);
    expect(row).toEqual({ status: 'succeeded', error: null });
  });

  it('records a result that overtakes its claim: the late claim changes nothing, the counts add up', async () => {
    const { clientId, batchId, items } = await newBatch(3);
    // The worker drops a claim still queued when the answer is in (ItemClaim.dropIfQueued); one already
    // sent may land after the result, racing or not.
    expect(await h.store.succeed(items[0], { ok: 1 }, origin)).toBe(true); // straight from pending
    expect(await h.store.claim(items[0])).toBeNull();
    const [won] = await Promise.all([h.store.succeed(items[1], { ok: 2 }, origin), h.store.claim(items[1])]);
    expect(won).toBe(true);
    const view = await h.service.get(clientId, batchId);
    expect(view.counts).toEqual({ total: 3, pending: 1, running: 0, succeeded: 2, failed: 0, cancelled: 0 });
    expect(view.status).toBe('running');
  });

  it('success and failure racing on one item: exactly one wins and is counted', async () => {
    const { clientId, batchId, items } = await newBatch(20);
    await Promise.all(items.map((item) => h.store.claim(item)));
    const results = await Promise.all(
      items.flatMap((item) => [
        h.store.succeed(item, { ok: 1 }, origin),
        h.store.fail(item.id, { code: 400, message: 'no', status: 'INVALID_ARGUMENT' }),
      ]),
    );
    const wins = results.filter(Boolean).length;
    expect(wins).toBe(20);
    const view = await h.service.get(clientId, batchId);
    expect(view.counts.succeeded + view.counts.failed).toBe(20);
    const [{ n }] = await h.dataSource.query(
      `SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1 AND ((response IS NULL) = (error IS NULL))`,
      [batchId],
    );
    expect(n).toBe(0); // every item holds exactly one of response / error
    expect(view.status).toBe('completed');
  });

  it('releases a running item to wait (running → pending) and counts attempts only when asked', async () => {
    const { clientId, batchId, ids, items } = await newBatch(1);
    await h.store.claim(items[0]);
    expect(await h.store.useAttempt(ids[0])).toBe(1);
    expect(await h.store.release(ids[0])).toBe(true);
    expect(await h.store.release(ids[0])).toBe(false);
    expect(await h.store.useAttempt(ids[0])).toBeNull(); // not running
    expect((await h.service.get(clientId, batchId)).counts).toMatchObject({ pending: 1, running: 0 });
    expect((await h.store.claim(items[0]))?.attempts).toBe(1);
  });

  it('a running item released after its batch was cancelled is cancelled, and the batch is done', async () => {
    const { clientId, batchId, ids, items } = await newBatch(2);
    await h.store.claim(items[0]);
    await h.service.cancel(clientId, batchId);
    expect(await h.store.release(ids[0])).toBe(true);
    const view = await h.service.get(clientId, batchId);
    expect(view).toMatchObject({ status: 'cancelled', counts: { pending: 0, running: 0, cancelled: 2 } });
    expect(view.completedAt).not.toBeNull();
  });

  it('a pending item whose batch is cancelled is cancelled at its claim', async () => {
    const { clientId, batchId, ids, items } = await newBatch(1);
    await h.store.claim(items[0]);
    // The race where a released item lands back in pending just after the cancel.
    await h.service.cancel(clientId, batchId);
    await h.dataSource.query(`UPDATE batch_items SET status = 'pending' WHERE id = $1; `, [ids[0]]);
    await h.dataSource.query(
      `UPDATE batches SET running_count = 0, pending_count = 1, completed_at = NULL WHERE id = $1`,
      [batchId],
    );
    expect(await h.store.claim(items[0])).toBeNull();
    const view = await h.service.get(clientId, batchId);
    expect(view).toMatchObject({ status: 'cancelled', counts: { pending: 0, running: 0, cancelled: 1 } });
    expect(view.completedAt).not.toBeNull();
  });
  it('peeks at an item without writing: no claim, no count moves; shows a cancelled batch', async () => {
    const { clientId, batchId, ids } = await newBatch(2);
    const peeked = await h.store.peek(ids[1]);
    expect(peeked).toEqual({
      id: ids[1],
      batchId,
      key: 'row-2',
      request: { contents: [{ role: 'user', parts: [{ text: 'prompt 2' }] }] },
      attempts: 0,
      status: 'pending',
      batchCancelled: false,
    });
    expect(await h.service.get(clientId, batchId)).toMatchObject({
      status: 'queued',
      counts: { pending: 2, running: 0 },
    });
    await h.service.cancel(clientId, batchId);
    expect(await h.store.peek(ids[1])).toMatchObject({ batchCancelled: true });
    expect(await h.store.peek('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('peeks at many items asked for together in one read; unknown and malformed ids are null', async () => {
    const { ids } = await newBatch(30);
    const reads = jest.spyOn(h.dataSource, 'query');
    try {
      const asked = [...ids, '00000000-0000-4000-8000-000000000000', 'not-a-uuid'];
      const peeked = await Promise.all(asked.map((id) => h.store.peek(id)));
      expect(peeked.slice(0, 30).map((item) => item?.id)).toEqual(ids);
      expect(peeked.slice(0, 30).map((item) => item?.key)).toEqual(ids.map((_, i) => `row-${i + 1}`));
      expect(peeked.slice(30)).toEqual([null, null]);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  });

  it('records a burst of one batch’s results in few statements, each exactly once, counts exact', async () => {
    const { clientId, batchId, items } = await newBatch(60);
    await Promise.all(items.map((item) => h.store.claim(item)));
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
});
