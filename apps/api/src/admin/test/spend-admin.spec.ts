import { bootApi, type ApiHarness } from './api-harness';

describe('admin API: spend limits, billing groups and model prices (HTTP)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await bootApi();
  });
  afterAll(() => api.close());

  it('takes the tier preset by default, an explicit value, null for none, and "tier" back', async () => {
    const created = await api.admin('POST', '/projects', { name: 'spend-t2', tier: 'tier2' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ spendLimitUsd: 50, spendLimitExplicit: false, billingGroup: null });
    const id = created.body.id as string;
    const set = await api.admin('PATCH', `/projects/${id}`, { spendLimitUsd: 12.5, billingGroup: 'acct-1' });
    expect(set.body).toMatchObject({ spendLimitUsd: 12.5, spendLimitExplicit: true, billingGroup: 'acct-1' });
    const none = await api.admin('PATCH', `/projects/${id}`, { spendLimitUsd: null, billingGroup: null });
    expect(none.body).toMatchObject({ spendLimitUsd: null, spendLimitExplicit: true, billingGroup: null });
    const back = await api.admin('PATCH', `/projects/${id}`, { spendLimitUsd: 'tier', tier: 'tier3' });
    expect(back.body).toMatchObject({ spendLimitUsd: 200, spendLimitExplicit: false });
    const bad = await api.admin('PATCH', `/projects/${id}`, { spendLimitUsd: -1 });
    expect(bad.status).toBe(400);
  });

  it("sets a project's Batch Mode limits (concurrent jobs, enqueued tokens per model); 400 names a bad one", async () => {
    const created = await api.admin('POST', '/projects', { name: 'batch-limits', tier: 'tier1' });
    expect(created.body).toMatchObject({ batchMaxJobs: 100, batchEnqueuedTokens: {} });
    const id = created.body.id as string;
    const set = await api.admin('PATCH', `/projects/${id}`, {
      batchMaxJobs: 20,
      batchEnqueuedTokens: { 'gemini-2.5-flash': 3_000_000 },
    });
    expect(set.body).toMatchObject({
      batchMaxJobs: 20,
      batchEnqueuedTokens: { 'gemini-2.5-flash': 3_000_000 },
    });
    const bad = await api.admin('PATCH', `/projects/${id}`, { batchMaxJobs: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/batchMaxJobs/);
  });

  it('lists the shipped prices, overrides one, and drops the override again', async () => {
    const list = await api.admin('GET', '/prices');
    expect(list.status).toBe(200);
    const flash = () => (list.body.prices as { model: string }[]).find((p) => p.model === 'gemini-2.5-flash');
    expect(flash()).toEqual({ model: 'gemini-2.5-flash', input: 0.3, output: 2.5, source: 'shipped' });
    const put = await api.admin('PUT', '/prices/gemini-2.5-flash', { input: 0.2, output: 2 });
    expect(put.body).toEqual({ model: 'gemini-2.5-flash', input: 0.2, output: 2, source: 'admin' });
    const custom = await api.admin('PUT', '/prices/my-tuned-model', { input: 1, output: 4 });
    expect(custom.status).toBe(200);
    const after = await api.admin('GET', '/prices');
    expect(after.body.prices).toEqual(
      expect.arrayContaining([
        { model: 'gemini-2.5-flash', input: 0.2, output: 2, source: 'admin' },
        { model: 'my-tuned-model', input: 1, output: 4, source: 'admin' },
      ]),
    );
    const removed = await api.admin('DELETE', '/prices/gemini-2.5-flash');
    expect(removed.status).toBe(200);
    expect(removed.body.prices).toEqual(
      expect.arrayContaining([{ model: 'gemini-2.5-flash', input: 0.3, output: 2.5, source: 'shipped' }]),
    );
    expect((await api.admin('DELETE', '/prices/gemini-2.5-flash')).status).toBe(404);
    expect((await api.admin('PUT', '/prices/gemini-2.5-flash', { input: -1, output: 1 })).status).toBe(400);
  });
});
