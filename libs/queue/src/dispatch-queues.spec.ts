import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { TestingModule } from '@nestjs/testing';
import { testConfig } from '@keyfleet/testing';
import { DispatchQueues } from './dispatch-queues';
import { QueueModule } from './queue.module';
import { dispatchQueueName, modelOfDispatchQueue } from './queue-names';

describe('dispatchQueueName', () => {
  it('joins the model with a dot (BullMQ forbids colons) and reads it back', () => {
    expect(dispatchQueueName('gemini-2.5-flash')).toBe('dispatch.gemini-2.5-flash');
    expect(modelOfDispatchQueue('dispatch.gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(modelOfDispatchQueue('rotation')).toBeNull();
  });

  it('refuses names that are not model names', () => {
    expect(() => dispatchQueueName('a:b')).toThrow(/invalid model/);
    expect(() => dispatchQueueName('-x')).toThrow(/invalid model/);
    expect(() => dispatchQueueName('Gemini')).toThrow(/invalid model/);
  });
});

describe('DispatchQueues (real Redis)', () => {
  const config = testConfig();
  let moduleRef: TestingModule;
  let queues: DispatchQueues;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [QueueModule.forRoot(config)] }).compile();
    await moduleRef.init();
    queues = moduleRef.get(DispatchQueues);
  });

  afterAll(async () => {
    for (const model of ['m-a', 'm-b']) await queues.forModel(model).obliterate({ force: true });
    await moduleRef.close();
  });

  it('caches one queue per model under the configured prefix', () => {
    const queue = queues.forModel('m-a');
    expect(queues.forModel('m-a')).toBe(queue);
    expect(queue.name).toBe('dispatch.m-a');
    expect(queue.toKey('wait')).toBe(`${config.queuePrefix}:dispatch.m-a:wait`);
  });

  it('uses the item id as job id, so enqueueing twice adds nothing', async () => {
    const batchId = randomUUID();
    const jobs = [
      ...Array.from({ length: 1500 }, () => ({ itemId: randomUUID(), batchId, model: 'm-a' })),
      { itemId: randomUUID(), batchId, model: 'm-b' },
    ];
    await queues.enqueue(jobs);
    await queues.enqueue(jobs);
    expect(await queues.forModel('m-a').getJobCountByTypes('wait', 'delayed')).toBe(1500);
    expect(await queues.forModel('m-b').getJobCountByTypes('wait')).toBe(1);
    const job = await queues.forModel('m-b').getJob(jobs[1500].itemId);
    expect(job?.data).toEqual(jobs[1500]);
    expect(job?.opts.removeOnComplete).toBe(true);
    expect(job?.opts.attempts).toBe(1);

    const removed = await queues.remove(
      'm-a',
      jobs.slice(0, 10).map((j) => j.itemId),
    );
    expect(removed).toBe(10);
    expect(await queues.forModel('m-a').getJobCountByTypes('wait')).toBe(1490);
  });
});
