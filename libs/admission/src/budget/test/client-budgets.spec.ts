// ClientBudgets on a real Redis: all-or-none holds across limits, exact under concurrency from many
// connections (as from many processes), corrections, and a new counter per period.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { KeyfleetConfig } from '@keyfleet/config';
import { deleteRedisKeys } from '@keyfleet/testing';
import { ClientBudgets, type BudgetAnswer } from '../client-budgets';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NOW = Date.parse('2026-12-04T10:00:00Z');
const MODEL = 'gemini-2.5-pro';

describe('ClientBudgets (Redis)', () => {
  const prefix = `kf-test-${randomUUID()}`;
  const config = { queuePrefix: prefix } as KeyfleetConfig;
  const clients: Redis[] = [];
  const budgetsOn = () => {
    const redis = new Redis(REDIS_URL);
    clients.push(redis);
    return new ClientBudgets(redis, config);
  };
  afterAll(async () => {
    await deleteRedisKeys(clients[0], `${prefix}:*`);
    await Promise.all(clients.map((redis) => redis.quit()));
  });
  const held = (answers: BudgetAnswer[]) => answers.filter((answer) => 'hold' in answer).length;

  it('holds exactly what the limit allows when 20 connections reserve at once', async () => {
    const processes = Array.from({ length: 20 }, budgetsOn);
    const client = randomUUID();
    const budget = { dailyUsd: 0.001 }; // 1,000 micro-dollars
    const answers = await Promise.all(
      processes.flatMap((budgets) =>
        Array.from({ length: 15 }, () => budgets.reserve(client, budget, MODEL, 7, NOW)),
      ),
    );
    expect(held(answers)).toBe(142); // 142 × 7 = 994; one more would pass 1,000
    const refused = answers.find((answer) => 'refused' in answer);
    expect(refused && 'refused' in refused && refused.refused.countedMicros).toBe(994);
  });

  it('holds on every limit that applies or on none, and corrects to the real cost', async () => {
    const budgets = budgetsOn();
    const client = randomUUID();
    const budget = { dailyUsd: 1, models: { [MODEL]: { monthlyUsd: 0.0001 } } }; // the model: 100 micros
    const first = await budgets.reserve(client, budget, MODEL, 80, NOW);
    expect('hold' in first).toBe(true);
    const second = await budgets.reserve(client, budget, MODEL, 30, NOW);
    expect('refused' in second && second.refused.limit).toMatchObject({ model: MODEL, limitMicros: 100 });
    // The refused call held nothing on the overall limit either.
    expect((await budgets.left(client, budget, 'gemini-2.5-flash', NOW))?.leftMicros).toBe(1_000_000 - 80);
    if (!('hold' in first)) throw new Error('unreachable');
    await budgets.settle(first.hold, 60); // it cost less than estimated
    expect('hold' in (await budgets.reserve(client, budget, MODEL, 30, NOW))).toBe(true);
    expect((await budgets.left(client, budget, MODEL, NOW))?.leftMicros).toBe(10);
  });

  it('gives back what was never spent, and starts afresh in a new period', async () => {
    const budgets = budgetsOn();
    const client = randomUUID();
    const budget = { dailyUsd: 0.0001 };
    const answer = await budgets.reserve(client, budget, MODEL, 100, NOW);
    expect('refused' in (await budgets.reserve(client, budget, MODEL, 1, NOW))).toBe(true);
    if (!('hold' in answer)) throw new Error('expected a hold');
    await budgets.release(answer.hold);
    expect('hold' in (await budgets.reserve(client, budget, MODEL, 100, NOW))).toBe(true);
    const tomorrow = NOW + 86_400_000;
    expect('hold' in (await budgets.reserve(client, budget, MODEL, 100, tomorrow))).toBe(true);
  });
});
