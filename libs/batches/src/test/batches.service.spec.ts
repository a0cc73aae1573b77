import { randomUUID } from 'node:crypto';
import { KeyfleetError } from '@keyfleet/errors';
import {
  collect,
  itemIdsOf,
  newClientId,
  parsedBatch,
  startBatchesHarness,
  takeItems,
  TEST_MODEL,
  type BatchesHarness,
} from './batches-harness';

describe('BatchesService (real Postgres and Redis)', () => {
  let h: BatchesHarness;

  beforeAll(async () => {
    h = await startBatchesHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('stores the batch and its items in one go and gives the batch turns in the fair scheduler', async () => {
    const clientId = newClientId();
    const { batch, created } = await h.service.create(clientId, parsedBatch(3, 'nightly'));
    expect(created).toBe(true);
    expect(batch).toMatchObject({
      model: TEST_MODEL,
      displayName: 'nightly',
      status: 'queued',
      counts: { total: 3, pending: 3, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      startedAt: null,
      completedAt: null,
      etaSeconds: null,
    });
    const ids = await itemIdsOf(h.dataSource, batch.id);
    expect(ids).toHaveLength(3);
    expect(await h.fairShare.state(TEST_MODEL)).toContainEqual({ clientId, batchIds: [batch.id] });
    // Each item keeps its estimated input tokens ("prompt 1" is 8 characters: 2 tokens).
    const rows: Array<{ est_tokens: number }> = await h.dataSource.query(
      'SELECT est_tokens FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
      [batch.id],
    );
    expect(rows.map((row) => row.est_tokens)).toEqual([2, 2, 2]);
  });

  it('takes 50,000 items', async () => {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(50_000));
    const [{ n }] = await h.dataSource.query(
      'SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1',
      [batch.id],
    );
    expect(n).toBe(50_000);
    expect(batch.counts.total).toBe(50_000);
    const [{ last }] = await h.dataSource.query(
      'SELECT max(line_no) AS last FROM batch_items WHERE batch_id = $1',
      [batch.id],
    );
    expect(last).toBe(50_000);
    const cancelled = await h.service.cancel(clientId, batch.id);
    expect(cancelled.counts).toMatchObject({ pending: 0, cancelled: 50_000 });
    expect(await takeItems(h, batch.id, 10)).toEqual([]);
  }, 60_000);

  it('answers a repeated Idempotency-Key with the first batch, also when the submissions race', async () => {
    const clientId = newClientId();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.service.create(clientId, parsedBatch(4), 'submit-42')),
    );
    const ids = new Set(results.map((result) => result.batch.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const [{ batches, items }] = await h.dataSource.query(
      `SELECT (SELECT count(*)::int FROM batches WHERE client_id = $1) AS batches,
              (SELECT count(*)::int FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE b.client_id = $1) AS items`,
      [clientId],
    );
    expect({ batches, items }).toEqual({ batches: 1, items: 4 });
    const again = await h.service.create(clientId, parsedBatch(4), 'submit-42');
    expect(again).toMatchObject({ created: false, batch: { id: [...ids][0] } });
    const otherClient = await h.service.create(newClientId(), parsedBatch(1), 'submit-42');
    expect(otherClient.created).toBe(true);
    expect(otherClient.batch.id).not.toBe([...ids][0]);
  });

  it('shows a client only its own batches; an unknown or malformed id is 404', async () => {
    const owner = newClientId();
    const { batch } = await h.service.create(owner, parsedBatch(1));
    expect((await h.service.get(owner, batch.id)).id).toBe(batch.id);
    for (const [client, id] of [
      [newClientId(), batch.id],
      [owner, randomUUID()],
      [owner, 'not-a-uuid'],
    ]) {
      const error = await h.service.get(client, id).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeyfleetError);
      expect((error as KeyfleetError).httpStatus).toBe(404);
    }
    await expect(h.service.results(newClientId(), batch.id)).rejects.toMatchObject({ httpStatus: 404 });
    await expect(h.service.cancel(newClientId(), batch.id)).rejects.toMatchObject({ httpStatus: 404 });
  });

  it('lists newest first, page by page, without gaps or repeats', async () => {
    const clientId = newClientId();
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await h.service.create(clientId, parsedBatch(1, `b${i}`))).batch.id);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await h.service.list(clientId, { pageSize: 2, pageToken });
      seen.push(...page.batches.map((batch) => batch.id));
      pageToken = page.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
    await expect(h.service.list(clientId, { pageToken: 'garbage' })).rejects.toMatchObject({
      httpStatus: 400,
    });
    await expect(h.service.list(clientId, { pageSize: 0 })).rejects.toMatchObject({ httpStatus: 400 });
    expect((await h.service.list(newClientId())).batches).toEqual([]);
  });

  it('cancels pending items; running ones finish, then the batch is done', async () => {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(4));
    const [first, second] = await takeItems(h, batch.id, 2);
    await h.store.succeed(second, { ok: true }, { projectId: null, upstreamKeyId: null, promptTokens: 1 });
    const cancelled = await h.service.cancel(clientId, batch.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts).toMatchObject({ pending: 0, running: 1, succeeded: 1, cancelled: 2 });
    expect(cancelled.completedAt).toBeNull();
    expect(await takeItems(h, batch.id, 4)).toEqual([]); // nothing left to take
    expect(
      await h.store.succeed(first, { late: true }, { projectId: null, upstreamKeyId: null, promptTokens: 1 }),
    ).toBe(true);
    const after = await h.service.get(clientId, batch.id);
    expect(after).toMatchObject({
      status: 'cancelled',
      counts: { running: 0, succeeded: 2, cancelled: 2 },
      etaSeconds: 0,
    });
    expect(after.completedAt).not.toBeNull();
    expect((await h.service.cancel(clientId, batch.id)).counts).toEqual(after.counts);
  });

  it('streams the finished items in line order, responses and errors, never the open ones', async () => {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(1200));
    const ids = await itemIdsOf(h.dataSource, batch.id);
    // Finish every item but the 7th, in reverse order; every 100th fails.
    for (const [index, id] of [...ids.entries()].reverse()) {
      if (index === 6) continue;
      if (index % 100 === 99)
        await h.store.fail(id, { code: 400, message: `bad ${index + 1}`, status: 'INVALID_ARGUMENT' });
      else
        await h.store.succeed(
          { id, batchId: batch.id },
          { n: index + 1 },
          { projectId: null, upstreamKeyId: null, promptTokens: 1 },
        );
    }
    const lines = (await collect(await h.service.results(clientId, batch.id))).map(
      (line) => JSON.parse(line) as unknown,
    );
    expect(lines).toHaveLength(1199);
    const expected = ids
      .map((_, index) => index)
      .filter((index) => index !== 6)
      .map((index) =>
        index % 100 === 99
          ? {
              key: `row-${index + 1}`,
              error: { code: 400, message: `bad ${index + 1}`, status: 'INVALID_ARGUMENT' },
            }
          : { key: `row-${index + 1}`, response: { n: index + 1 } },
      );
    expect(lines).toEqual(expected);
    const view = await h.service.get(clientId, batch.id);
    expect(view.counts).toMatchObject({ pending: 1, succeeded: 1187, failed: 12 });
    expect(view.status).toBe('running');
    expect(view.etaSeconds).toEqual(expect.any(Number));
  }, 30_000); // 1,200 items finished one by one: seconds on a busy machine
});
