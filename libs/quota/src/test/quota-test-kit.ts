import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { QuotaEngine } from '../quota-engine';
import type { ProjectLimits, QuotaEngineOptions, Reservation, ReserveResult } from '../quota-types';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One Redis client, a unique key prefix and a movable clock shift for a spec file; close() cleans up. */
export class QuotaTestKit {
  readonly redis = new Redis(REDIS_URL, { lazyConnect: false });
  readonly prefix = `kf-test-${randomUUID()}`;
  /** When set, the scripts' clock stands still at this time: lets a test step over window edges and midnights. */
  frozenAtMs: number | null = null;
  private readonly extraClients: Redis[] = [];
  private readonly engines: QuotaEngine[] = [];

  engine(options: Partial<QuotaEngineOptions> = {}, redis: Redis = this.redis): QuotaEngine {
    const engine = new QuotaEngine(redis, {
      prefix: this.prefix,
      testClock: () => (this.frozenAtMs === null ? 0 : { frozenAtMs: this.frozenAtMs }),
      ...options,
    });
    this.engines.push(engine);
    return engine;
  }

  /** What FLUSHDB does to this kit's keys (the shared Redis holds other tests' keys too). */
  async flush(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  client(): Redis {
    const client = new Redis(REDIS_URL);
    this.extraClients.push(client);
    return client;
  }

  /** Back to Redis' real clock (call in beforeEach: the kit is shared by the tests of a file). */
  thaw(): void {
    this.frozenAtMs = null;
  }

  /** Freezes the scripts' clock at `targetMs`. */
  jumpTo(targetMs: number): void {
    this.frozenAtMs = targetMs;
  }

  /** At each `[offset, tokens]` after `start` (the clock frozen there), asks for that many tokens; the answers in order. */
  async askAt(
    start: number,
    steps: ReadonlyArray<readonly [number, number]>,
    ask: (tokens: number) => Promise<ReserveResult>,
  ): Promise<ReserveResult[]> {
    const answers: ReserveResult[] = [];
    for (const [offset, tokens] of steps) {
      this.jumpTo(start + offset);
      answers.push(await ask(tokens));
    }
    return answers;
  }

  /** Freezes the scripts' clock at the current Redis time and returns it. */
  async freeze(engine: QuotaEngine): Promise<number> {
    this.frozenAtMs = null;
    this.frozenAtMs = await engine.nowMs();
    return this.frozenAtMs;
  }

  async close(): Promise<void> {
    for (const engine of this.engines) engine.onModuleDestroy();
    await this.flush();
    for (const client of this.extraClients) client.disconnect();
    this.redis.disconnect();
  }
}

export function limits(
  projectId: string,
  rpm: number,
  tpm: number,
  rpd: number | null = null,
  tpd: number | null = null,
): ProjectLimits {
  return { projectId, rpm, tpm, rpd, tpd };
}

export function reserved(result: ReserveResult): Reservation {
  if (result.kind !== 'reserved') throw new Error(`expected a reservation, got ${JSON.stringify(result)}`);
  return result.reservation;
}

/** A reservation with how long until it may be sent (0 unless it was booked ahead). */
export function booked(result: ReserveResult): Reservation & { dueInMs: number } {
  if (result.kind !== 'reserved') throw new Error(`expected a booking, got ${JSON.stringify(result)}`);
  return { ...result.reservation, dueInMs: result.dueInMs };
}

export function waiting(result: ReserveResult): { retryAtMs: number; waitMs: number } {
  if (result.kind !== 'wait') throw new Error(`expected a wait, got ${JSON.stringify(result)}`);
  return result;
}
