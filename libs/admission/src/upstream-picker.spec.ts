import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { nextPacificMidnight, QuotaEngine } from '@keyfleet/quota';
import type { PoolProject, PoolService } from '@keyfleet/registry';
import { testConfig } from '@keyfleet/testing';
import type { ClassifiedUpstreamError } from '@keyfleet/upstream';
import { DEFAULT_ADMISSION_TIMING } from './admission-timing';
import { InteractiveReserve } from './interactive-reserve';
import {
  projectLimitsOf,
  quotaBlockUntil,
  UpstreamPicker,
  type AdmissionLane,
  type UpstreamSlot,
} from './upstream-picker';

const MODEL = 'gemini-2.5-flash';
const REQUEST = { contents: [{ parts: [{ text: 'x'.repeat(400) }] }] }; // about 100 tokens

function project(id: string, rpm: number, keyIds: string[], spendLimit: number | null = null): PoolProject {
  const keys = keyIds.map((k) => ({ id: k, projectId: id, secret: `s-${k}`, lastFour: k, fingerprint: k }));
  const limits = { rpm, tpm: 1000, rpd: null, tpd: null };
  return { projectId: id, name: id, limits, keys, spendLimit, spendScope: `p:${id}` };
}

const quota = (extra: Partial<ClassifiedUpstreamError>): ClassifiedUpstreamError => ({
  kind: 'quota',
  status: 429,
  rpcStatus: 'RESOURCE_EXHAUSTED',
  message: 'quota',
  ...extra,
});

describe('UpstreamPicker over the quota engine (real Redis)', () => {
  const prefix = `kf-test-${randomUUID()}`;
  let redis: Redis;
  let engine: QuotaEngine;
  let projects: PoolProject[];
  let picker: UpstreamPicker;
  // gemini-2.5-flash's list price, or none (spend not counted).
  let price: { input: number; output: number } | null = null;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379');
    engine = new QuotaEngine(redis, { prefix });
  });
  const pickerWith = (env: Record<string, string> = {}, quotaEngine = engine) => {
    const pool = {
      poolFor: () => Promise.resolve(projects),
      priceOf: () => Promise.resolve(price),
    } as unknown as PoolService;
    // A fresh queue prefix per picker: no interactive mark from an earlier test.
    const reserve = new InteractiveReserve(
      redis,
      testConfig({ KF_QUEUE_PREFIX: `${prefix}-${randomUUID()}`, ...env }),
    );
    return new UpstreamPicker(pool, quotaEngine, DEFAULT_ADMISSION_TIMING, reserve);
  };
  beforeEach(() => {
    price = null;
    projects = [project(`p-${randomUUID()}`, 2, ['a1', 'a2'])];
    picker = pickerWith();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function slot(excluded: string[] = [], lane: AdmissionLane = 'batch'): Promise<UpstreamSlot> {
    const admission = await picker.admit(MODEL, REQUEST, new Set(excluded), lane);
    if (!('slot' in admission)) throw new Error(`expected a slot, got ${JSON.stringify(admission)}`);
    return admission.slot;
  }

  it('reserves within RPM, round-robins keys, then answers with the exact wait', async () => {
    const first = await slot();
    const second = await slot();
    expect([first.key.id, second.key.id]).toEqual(['a1', 'a2']);
    expect(first.reservation).toMatchObject({ projectId: projects[0].projectId, tokens: 100 });
    const third = await picker.admit(MODEL, REQUEST, new Set());
    expect(third).toMatchObject({ waitMs: expect.any(Number) });
    expect((third as { waitMs: number }).waitMs).toBeGreaterThan(50_000);
  });

  it('corrects the estimate on success and the calibrator learns the ratio', async () => {
    const first = await slot();
    await picker.settle(first, 200);
    const [usage] = await engine.usage(MODEL, [
      { projectId: projects[0].projectId, rpm: 2, tpm: 1000, rpd: null, tpd: null },
    ]);
    expect(usage.window).toEqual({ requests: 1, tokens: 200 });
    expect((await slot()).reservation.tokens).toBe(200);
  });

  it('releases the room of a request that never reached Google, keeps it after a 429 and blocks', async () => {
    const sent = await slot();
    await picker.settleFailure(sent, {
      kind: 'invalid_key',
      status: 400,
      rpcStatus: 'INVALID_ARGUMENT',
      message: 'bad key',
    });
    const limits = [{ projectId: projects[0].projectId, rpm: 2, tpm: 1000, rpd: null, tpd: null }];
    expect((await engine.usage(MODEL, limits))[0].window.requests).toBe(0);

    const refused = await slot();
    await picker.settleFailure(refused, quota({ quotaScope: 'minute', retryDelayMs: 30_000 }));
    const [usage] = await engine.usage(MODEL, limits);
    expect(usage.window.requests).toBe(1);
    expect(usage.blockedUntil).toBeGreaterThan((await engine.nowMs()) + 25_000);
    expect(await picker.admit(MODEL, REQUEST, new Set())).toMatchObject({ waitMs: expect.any(Number) });
  });

  it('skips projects whose keys are all excluded and reports a request that can never pass', async () => {
    projects = [project(`p-${randomUUID()}`, 5, ['b1'])];
    expect(await picker.admit(MODEL, REQUEST, new Set(['b1']))).toMatchObject({ waitMs: 5000 });
    const huge = { contents: 'y'.repeat(8000) }; // 2000 tokens > tpm 1000
    const answer = await picker.admit(MODEL, huge, new Set());
    expect(answer).toMatchObject({ impossible: expect.stringContaining(projects[0].projectId) });
  });

  async function admitted(lane: AdmissionLane, tries: number): Promise<number> {
    let count = 0;
    for (let i = 0; i < tries; i++)
      if ('slot' in (await picker.admit(MODEL, REQUEST, new Set(), lane))) count++;
    return count;
  }

  it('gives batches the whole pool while no interactive call is seen', async () => {
    projects = [project(`p-${randomUUID()}`, 10, ['c1'])];
    expect(await admitted('batch', 12)).toBe(10);
  });

  it('keeps KF_INTERACTIVE_SHARE of each limit for interactive calls once they are seen', async () => {
    projects = [project(`p-${randomUUID()}`, 10, ['c1'])];
    await slot([], 'interactive'); // marks the model as having interactive traffic
    expect(await admitted('batch', 12)).toBe(7); // 8 of 10 for batches, one already taken
    expect(await admitted('interactive', 5)).toBe(2); // interactive calls fill the rest
  });

  it('keeps the share always with KF_INTERACTIVE_RESERVE_MS=0, and none with a share of 0', async () => {
    projects = [project(`p-${randomUUID()}`, 10, ['c1'])];
    picker = pickerWith({ KF_INTERACTIVE_RESERVE_MS: '0', KF_INTERACTIVE_SHARE: '0.5' });
    expect(await admitted('batch', 12)).toBe(5);
    projects = [project(`p-${randomUUID()}`, 10, ['c1'])];
    picker = pickerWith({ KF_INTERACTIVE_RESERVE_MS: '0', KF_INTERACTIVE_SHARE: '0' });
    expect(await admitted('batch', 12)).toBe(10);
  });

  it('lets batches use a limit too small to split (RPM 1) rather than call them impossible', async () => {
    projects = [project(`p-${randomUUID()}`, 1, ['d1'])];
    picker = pickerWith({ KF_INTERACTIVE_RESERVE_MS: '0' });
    expect(await slot()).toMatchObject({ key: { id: 'd1' } });
  });

  it('blocks a per-day 429 until Pacific midnight and a limit-0 one for a day', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    expect(quotaBlockUntil(quota({ quotaScope: 'day', retryDelayMs: 5000 }), now, 1)).toBe(
      nextPacificMidnight(now),
    );
    expect(quotaBlockUntil(quota({ limitZero: true }), now, 1)).toBe(now + 86_400_000);
    expect(quotaBlockUntil(quota({ quotaScope: 'minute', retryDelayMs: 7000 }), now, 1)).toBe(now + 7000);
    expect(quotaBlockUntil(quota({}), now, 1234)).toBe(now + 1234);
    expect(quotaBlockUntil(quota({ helpOnly: true }), now, 1234, 10_000)).toBe(now + 10_000);
  });

  it('reserves the estimated cost (input, learned output capped by maxOutputTokens) and corrects it from the answer', async () => {
    price = { input: 0.3, output: 2.5 };
    projects = [project(`p-${randomUUID()}`, 100, ['e1'], 1_000_000)];
    const spendOf = async () => (await engine.usage(MODEL, projects.map(projectLimitsOf)))[0].spend;
    const first = await slot();
    // 100 input tokens and, before any answer was seen, 1,024 output tokens.
    expect(first.reservation.spend).toMatchObject({ micros: 30 + 2_560, outputTokens: 1_024 });
    const withCap = { ...REQUEST, generationConfig: { maxOutputTokens: 8 } };
    const capped = await picker.admit(MODEL, withCap, new Set());
    if (!('slot' in capped)) throw new Error('expected a slot');
    expect(capped.slot.reservation.spend?.micros).toBe(30 + 20);
    await picker.settle(first, 100, undefined, 40); // 30 + 100
    await picker.giveBack(capped.slot);
    expect(await spendOf()).toMatchObject({
      windowMicros: 130,
      todayMicros: 130,
      remainingMicros: 1_000_000 - 130,
    });
    // The next estimate follows the answers seen.
    expect((await slot()).reservation.spend?.outputTokens).toBe(40);
  });

  it('blocks the project+model after a Help-only 429 for helpOnlyBlockMs, keeping its reservation', async () => {
    const refused = await slot();
    await picker.settleFailure(refused, quota({ helpOnly: true }));
    const [usage] = await engine.usage(MODEL, projects.map(projectLimitsOf));
    const now = await engine.nowMs();
    expect(usage.window.requests).toBe(1);
    expect(usage.blockedUntil).toBeGreaterThan(now + 9_000);
    expect(usage.blockedUntil).toBeLessThanOrEqual(now + 10_000);
  });

  it('sends a slot only within half the headroom, and gives a stale one back', async () => {
    expect(engine.headroomMs).toBe(1000); // the default
    const fresh = await slot();
    expect(picker.sendable(fresh)).toBe(true);
    const stale = { ...fresh, askedAt: performance.now() - 501 }; // half the headroom is for leaving
    expect(picker.sendable(stale)).toBe(false);
    const full = await slot(); // RPM 2: the pool is full now
    expect('waitMs' in (await picker.admit(MODEL, REQUEST, new Set()))).toBe(true);
    await picker.giveBack(full);
    expect('slot' in (await picker.admit(MODEL, REQUEST, new Set()))).toBe(true);
  });

  it('books the moment room frees when asked to, and the slot may leave from then until half the headroom after', async () => {
    const shortWindow = new QuotaEngine(redis, { prefix, windowMs: 1_000, headroomMs: 200 });
    const booking = pickerWith({}, shortWindow);
    const admit = () => booking.admit(MODEL, REQUEST, new Set(), 'batch', 2_000);
    for (let i = 0; i < 2; i++) expect('slot' in (await admit())).toBe(true); // RPM 2: full now
    const admission = await admit();
    if (!('slot' in admission)) throw new Error(`expected a booking, got ${JSON.stringify(admission)}`);
    const { slot: booked } = admission;
    expect(booked.dueInMs).toBeGreaterThan(900); // the first entry leaves 1.2 s after it was made
    expect(booked.dueInMs).toBeLessThanOrEqual(1_200);
    expect(booked.sendFrom).toBeGreaterThanOrEqual(booked.askedAt + booked.dueInMs);
    expect(booking.sendBy(booked)).toBe(booked.askedAt + booked.dueInMs + 100);
    expect(booking.sendable(booked)).toBe(true);
    expect(booking.sendable({ ...booked, dueInMs: 0, askedAt: performance.now() - 101 })).toBe(false);
    // Without a book-ahead the same full pool answers a wait.
    expect('waitMs' in (await booking.admit(MODEL, REQUEST, new Set()))).toBe(true);
  });
});
