// Paused batches on a real Postgres: nothing is taken while paused, items in flight finish and count,
// resuming puts the batch back where it was, and a paused batch can be cancelled.
import { BatchPauses } from '../batch-pauses';
import {
  newClientId,
  parsedBatch,
  startBatchesHarness,
  takeItems,
  type BatchesHarness,
} from './batches-harness';

const ORIGIN = { projectId: null, upstreamKeyId: null, promptTokens: 1 };

describe('BatchPauses (real Postgres)', () => {
  let h: BatchesHarness;
  let pauses: BatchPauses;

  beforeAll(async () => {
    h = await startBatchesHarness();
    pauses = h.moduleRef.get(BatchPauses);
  });
  afterAll(() => h.close());

  it('takes nothing from a paused batch; what was running finishes; resuming continues it', async () => {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(5));
    const [running] = await takeItems(h, batch.id, 1);
    expect(await pauses.pause(batch.id)).toBe(true);
    expect(await pauses.pause(batch.id)).toBe(false); // already paused
    expect(await takeItems(h, batch.id, 5)).toEqual([]);
    expect(await h.store.succeed(running, { ok: true }, ORIGIN)).toBe(true);
    expect(await h.service.get(clientId, batch.id)).toMatchObject({
      status: 'paused',
      counts: { pending: 4, running: 0, succeeded: 1 },
      etaSeconds: null,
    });
    expect((await pauses.paused()).map((p) => [p.batchId, p.clientId])).toEqual([[batch.id, clientId]]);
    expect(await pauses.resume(batch.id)).toBe(true);
    expect((await h.service.get(clientId, batch.id)).status).toBe('running'); // it had started
    expect(await takeItems(h, batch.id, 5)).toHaveLength(4);
  });

  it('a batch paused before it started goes back to queued; a paused batch can be cancelled', async () => {
    const clientId = newClientId();
    const { batch } = await h.service.create(clientId, parsedBatch(3));
    await pauses.pause(batch.id);
    await pauses.resume(batch.id);
    expect((await h.service.get(clientId, batch.id)).status).toBe('queued');
    await pauses.pause(batch.id);
    const cancelled = await h.service.cancel(clientId, batch.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', counts: { pending: 0, cancelled: 3 } });
    expect(await pauses.resume(batch.id)).toBe(false);
  });
});
