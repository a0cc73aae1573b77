import type { Page } from 'playwright-core';
import { keepScreenshot, launchChromium, startProcessStack, type ProcessStack } from '@keyfleet/testing';

const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';
const KEYS = {
  alpha: 'AQ.ADashboardAlpha00001',
  beta: 'AQ.ADashboardBeta000002',
  gamma: 'AQ.ADashboardGamma00003',
};

interface Batch {
  id: string;
  status: string;
  counts: Record<string, number>;
}
interface QuotaRow {
  projectId: string;
  model: string;
  window: { requests: number; tokens: number };
  today: { requests: number };
  limits: { rpm: number; tpm: number; rpd: number | null };
}

const request = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

describe('dashboard in a real headless Chromium', () => {
  let stack: ProcessStack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let clientKey: string;
  const requested: string[] = [];

  async function client<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  async function submit(model: string, count: number, displayName: string): Promise<Batch> {
    const requests = Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      request: request(`${displayName} ${i}`),
    }));
    return client<Batch>('POST', '/v1/batches', { model, displayName, requests });
  }

  async function until(batchId: string, done: (batch: Batch) => boolean): Promise<Batch> {
    for (let i = 0; i < 600; i++) {
      const batch = await client<Batch>('GET', `/v1/batches/${batchId}`);
      if (done(batch)) return batch;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`batch ${batchId} did not get there`);
  }

  beforeAll(async () => {
    stack = await startProcessStack({
      latencyMs: { min: 2, max: 10 },
      projects: [
        {
          id: 'sim-alpha',
          tier: 'paid',
          limits: { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
          keys: [KEYS.alpha],
        },
        {
          id: 'sim-beta',
          tier: 'paid',
          limits: { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
          keys: [KEYS.beta],
        },
        {
          id: 'sim-gamma',
          tier: 'paid',
          limits: { [PRO]: { rpm: 5, tpm: 1_000_000, rpd: 1000 } },
          keys: [KEYS.gamma],
        },
      ],
    });
    const pool = [
      ['alpha', { [FLASH]: { rpm: 600, tpm: 1_000_000, rpd: 50_000 } }],
      ['beta', { [FLASH]: { rpm: 400, tpm: 800_000, rpd: 20_000 } }],
      ['gamma', { [PRO]: { rpm: 1, tpm: 500_000, rpd: 1000 } }], // one pro request a minute: a batch that waits
    ] as const;
    for (const [name, limits] of pool) {
      const project = await stack.admin<{ id: string }>('POST', '/projects', { name, limits });
      await stack.admin('POST', `/projects/${project.id}/keys`, { secret: KEYS[name] });
    }
    clientKey = await stack.newClient('team-dashboard');
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('request', (req) => requested.push(req.url()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('refuses a wrong token and shows the login again', async () => {
    await page.goto(`${stack.apiUrl}/dashboard`);
    await page.fill('#token', 'not-the-admin-token-at-all');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("refused")');
    expect(await page.isVisible('#board')).toBe(false);
  });

  it("shows the pool's use, the batches and the keys as the admin API reads them, live", async () => {
    const finished = await submit(FLASH, 30, 'nightly-eval');
    await until(finished.id, (b) => b.status === 'completed');
    const waiting = await submit(PRO, 5, 'pro-summaries');
    await until(waiting.id, (b) => b.counts['succeeded'] === 1 && b.counts['pending'] === 4);

    await page.goto(`${stack.apiUrl}/dashboard`);
    await page.fill('#token', stack.env['KF_ADMIN_TOKEN']);
    await page.click('#login button[type=submit]');
    await page.waitForSelector(`tr[data-batch="${waiting.id}"]`);
    await page.waitForSelector('#pool tbody tr');

    const usage = (await stack.admin<{ quota: QuotaRow[] }>('GET', '/quota')).quota;
    // The page's next poll reads what the API reads now (nothing moves: gamma's minute is used up).
    const shownAt = (await page.textContent('#status')) ?? '';
    await page.locator('#status', { hasNotText: shownAt }).waitFor();
    expect(await page.locator('#pool tbody tr').count()).toBe(usage.length);
    for (const row of usage) {
      const shown = async (metric: string) => {
        const bar = page.locator(
          `tr[data-usage="${row.projectId}|${row.model}"] .bar[data-metric="${metric}"]`,
        );
        return [await bar.getAttribute('data-used'), await bar.getAttribute('data-limit')];
      };
      expect(await shown('rpm')).toEqual([String(row.window.requests), String(row.limits.rpm)]);
      expect(await shown('tpm')).toEqual([String(row.window.tokens), String(row.limits.tpm)]);
      expect(await shown('rpd')).toEqual([String(row.today.requests), String(row.limits.rpd ?? '')]);
    }
    const flashTotal = usage.filter((r) => r.model === FLASH).reduce((sum, r) => sum + r.window.requests, 0);
    expect(flashTotal).toBe(30);

    for (const batch of [finished, waiting]) {
      const counts = (await client<Batch>('GET', `/v1/batches/${batch.id}`)).counts;
      for (const name of ['succeeded', 'failed', 'pending', 'running', 'total'])
        expect(await page.textContent(`tr[data-batch="${batch.id}"] [data-count="${name}"]`)).toBe(
          String(counts[name]),
        );
    }
    expect(await page.textContent(`tr[data-batch="${finished.id}"] [data-status]`)).toBe('completed');
    expect(await page.textContent(`tr[data-batch="${waiting.id}"] [data-status]`)).toBe('running');
    expect(await page.locator('#keys tbody tr').count()).toBe(3);
    expect(await page.locator('#audit li').count()).toBeGreaterThan(0);

    // Live: a batch submitted now appears within a poll or two.
    const later = await submit(FLASH, 3, 'late-arrival');
    await page.waitForSelector(`tr[data-batch="${later.id}"]`, { timeout: 6_000 });

    // The token never travelled in a URL; it sits in this tab's sessionStorage only.
    expect(requested.some((url) => url.includes(stack.env['KF_ADMIN_TOKEN']))).toBe(false);
    expect(page.url()).toBe(`${stack.apiUrl}/dashboard`);
    keepScreenshot('dashboard.png', await page.screenshot({ fullPage: true }));
  }, 60_000);
});
