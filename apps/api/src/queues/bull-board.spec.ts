import { Queue } from 'bullmq';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, uniquePrefix } from '@keyfleet/testing';
import { bootApi, type ApiHarness } from '../admin/test/api-harness';

describe('Bull Board at /admin/queues (HTTP)', () => {
  const prefix = uniquePrefix('kf-board');
  let api: ApiHarness;
  const queues: Queue[] = [];

  async function queueWithJob(name: string): Promise<void> {
    const queue = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix });
    queues.push(queue);
    await queue.add('job', { n: 1 });
  }

  async function boardQueues(): Promise<string[]> {
    const response = await api.call<{ queues: Array<{ name: string }> }>('GET', '/admin/queues/api/queues', {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return response.body.queues.map((queue) => queue.name).sort();
  }

  beforeAll(async () => {
    api = await bootApi({ KF_QUEUE_PREFIX: prefix });
  });

  afterAll(async () => {
    for (const queue of queues) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await api.close();
  });

  it('needs the admin token: a browser gets a Basic login prompt, the token as its password', async () => {
    const anonymous = await api.call('GET', '/admin/queues');
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${api.url}/admin/queues`)).headers.get('www-authenticate')).toMatch(/^Basic /);
    const wrong = Buffer.from('admin:not-the-token-0000000').toString('base64');
    expect(
      (await api.call('GET', '/admin/queues', { headers: { authorization: `Basic ${wrong}` } })).status,
    ).toBe(401);
    const basic = Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64');
    const page = await api.call('GET', '/admin/queues', { headers: { authorization: `Basic ${basic}` } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
  });

  it('shows every BullMQ queue of the deployment, and new ones as they appear', async () => {
    await queueWithJob('dispatch.gemini-2.5-flash');
    await queueWithJob('rotation-sweep');
    expect(await boardQueues()).toEqual(['dispatch.gemini-2.5-flash', 'rotation-sweep']);
    await queueWithJob('dispatch.gemini-2.5-pro');
    expect(await boardQueues()).toEqual([
      'dispatch.gemini-2.5-flash',
      'dispatch.gemini-2.5-pro',
      'rotation-sweep',
    ]);
  });
});
