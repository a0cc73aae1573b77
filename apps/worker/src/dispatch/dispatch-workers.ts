import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Worker } from 'bullmq';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { DispatchQueues, dispatchQueueName, type BatchItemJob } from '@keyfleet/queue';
import { PoolService } from '@keyfleet/registry';
import { BatchItemProcessor } from './batch-item.processor';
import { DISPATCH_TIMING, type DispatchTiming } from './dispatch-timing';

const MANUAL_RATE_LIMIT_ONLY = { max: 1e15, duration: 1000 };

/**
 * One BullMQ Worker per served model, started and stopped as models come and go.
 *
 * Why not `@Processor` + `WorkerHost`: the decorator binds a class to one queue name fixed when the
 * code is written, and its Worker is created once at bootstrap. Dispatch queues are per model and
 * models are data (whatever the registered projects serve, changing at runtime), so the workers are
 * plain BullMQ Workers created here, each calling BatchItemProcessor.process — BullMQ's own API, no
 * layer over it. Closing happens in onModuleDestroy, before Postgres closes, so in-flight jobs finish.
 */
@Injectable()
export class DispatchWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchWorkers.name);
  private readonly workers = new Map<string, Worker<BatchItemJob>>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly pool: PoolService,
    private readonly queues: DispatchQueues,
    private readonly processor: BatchItemProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.timing.modelsRefreshMs);
  }

  /** The models this process has a worker for. */
  models(): string[] {
    return [...this.workers.keys()].sort();
  }

  /** Starts workers for newly served models and stops those of models no longer served. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.syncing;
    const closing = [...this.workers.values()].map((worker) => worker.close());
    this.workers.clear();
    await Promise.all(closing);
  }

  private async syncOnce(): Promise<void> {
    let served: string[];
    try {
      served = await this.pool.servedModels();
    } catch (error) {
      this.logger.warn(`reading the served models failed: ${String(error)}`);
      return;
    }
    if (this.stopped) return;
    for (const model of served) if (!this.workers.has(model)) this.start(model);
    const gone = [...this.workers.keys()].filter((model) => !served.includes(model));
    await Promise.all(gone.map((model) => this.stop(model)));
  }

  private start(model: string): void {
    const { connection, prefix } = this.queues.queueOptions;
    const worker = new Worker<BatchItemJob>(
      dispatchQueueName(model),
      (job, token) => this.processor.process(job, token),
      {
        connection,
        prefix,
        concurrency: this.config.worker.concurrency,
        // Only so that BullMQ honours the manual rate limit set when no project has room (it reads the
        // limit only when a limiter is configured); the max itself never binds.
        limiter: MANUAL_RATE_LIMIT_ONLY,
      },
    );
    worker.on('error', (error) => this.logger.warn(`worker ${model}: ${error.message}`));
    worker.on('failed', (job, error) =>
      this.logger.error(`item ${job?.id ?? '?'} (${model}) failed in the queue: ${error.message}`),
    );
    this.workers.set(model, worker);
    this.logger.log(`dispatching ${model} (concurrency ${this.config.worker.concurrency})`);
  }

  private async stop(model: string): Promise<void> {
    const worker = this.workers.get(model);
    this.workers.delete(model);
    await worker?.close();
    this.logger.log(`stopped dispatching ${model}: no longer served`);
  }
}
