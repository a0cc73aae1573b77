import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { getSharedConfigToken } from '@nestjs/bullmq';
import { Queue, type QueueOptions } from 'bullmq';
import { ENQUEUE_CHUNK_SIZE } from './job-defaults';
import { logRedisErrors } from './redis-errors';
import { BATCH_ITEM_JOB_NAME, dispatchQueueName, type BatchItemJob } from './queue-names';

// Removals are single Lua calls; this many run at once (one connection pipelines them).
const REMOVE_CONCURRENCY = 200;

/**
 * The per-model dispatch queues of this process, created on first use and cached.
 * Models are data (any model a project serves), so these cannot be static `BullModule.registerQueue`s.
 */
@Injectable()
export class DispatchQueues implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue<BatchItemJob>>();

  constructor(@Inject(getSharedConfigToken()) private readonly options: QueueOptions) {}

  /** The queue of one model (created on first use). */
  forModel(model: string): Queue<BatchItemJob> {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = new Queue<BatchItemJob>(dispatchQueueName(model), this.options);
      logRedisErrors(queue, `queue ${queue.name}`);
      this.queues.set(model, queue);
    }
    return queue;
  }

  /** Shared options (connection, prefix, job defaults), for the workers of the same queues. */
  get queueOptions(): QueueOptions {
    return this.options;
  }

  /**
   * Adds one job per item, job id = item id: adding an item that a queue already holds is a no-op,
   * so a retried or repeated enqueue never duplicates work.
   */
  async enqueue(jobs: readonly BatchItemJob[]): Promise<void> {
    for (const [model, ofModel] of groupByModel(jobs)) {
      const queue = this.forModel(model);
      for (let start = 0; start < ofModel.length; start += ENQUEUE_CHUNK_SIZE) {
        const chunk = ofModel.slice(start, start + ENQUEUE_CHUNK_SIZE);
        await queue.addBulk(
          chunk.map((data) => ({ name: BATCH_ITEM_JOB_NAME, data, opts: { jobId: data.itemId } })),
        );
      }
    }
  }

  /** Removes waiting/delayed jobs of these items; active (locked) ones stay and finish. Returns how many went. */
  async remove(model: string, itemIds: readonly string[]): Promise<number> {
    const queue = this.forModel(model);
    let removed = 0;
    for (let start = 0; start < itemIds.length; start += REMOVE_CONCURRENCY) {
      const codes = await Promise.all(
        itemIds.slice(start, start + REMOVE_CONCURRENCY).map((id) => queue.remove(id).catch(() => 0)),
      );
      removed += codes.filter((code) => code === 1).length;
    }
    return removed;
  }

  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  }
}

function groupByModel(jobs: readonly BatchItemJob[]): Map<string, BatchItemJob[]> {
  const groups = new Map<string, BatchItemJob[]>();
  for (const job of jobs) {
    const group = groups.get(job.model) ?? [];
    group.push(job);
    groups.set(job.model, group);
  }
  return groups;
}
