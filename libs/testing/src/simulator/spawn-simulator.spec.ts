// spawnSimulator starts the real simulator process (main.ts), configures it, and stops it on SIGTERM.
import { spawnSimulator, type SpawnedSimulator } from './spawn-simulator';

const FLASH = 'gemini-2.5-flash';

describe('spawnSimulator', () => {
  let sim: SpawnedSimulator;
  beforeAll(async () => {
    sim = await spawnSimulator({
      projects: [
        {
          id: 'spawned',
          tier: 'paid',
          limits: { [FLASH]: { rpm: 1, tpm: 1000, rpd: 10 } },
          keys: ['key-spawn-0001'],
        },
      ],
    });
  });
  afterAll(() => sim.stop());

  const generate = (key: string) =>
    fetch(`${sim.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
    });

  it('listens on a free port with the given config', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await sim.config()).projects.map((p) => p.id)).toEqual(['spawned']);
    expect((await generate('key-spawn-0001')).status).toBe(200);
    expect((await generate('key-spawn-0001')).status).toBe(429);
    const stats = await sim.stats();
    expect(stats.projects.spawned[FLASH]).toEqual(
      expect.objectContaining({ admitted: 1, refused429: 1, overLimit: false }),
    );
  });

  it('drives keys and faults through the admin API', async () => {
    await sim.addProject({ id: 'second', limits: { [FLASH]: { rpm: 10, tpm: 1000, rpd: 10 } } });
    await sim.addKey({ projectId: 'second', key: 'key-spawn-0002' });
    await sim.setFaults({ script: [{ status: 503, count: 1 }] });
    expect((await generate('key-spawn-0002')).status).toBe(503);
    expect((await generate('key-spawn-0002')).status).toBe(200);
    await sim.patchKey('key-spawn-0002', { status: 'leaked' });
    expect((await generate('key-spawn-0002')).status).toBe(403);
    await sim.deleteKey('key-spawn-0002');
    expect((await generate('key-spawn-0002')).status).toBe(400);
    await sim.resetStats();
    expect((await sim.stats()).totals.requests).toBe(0);
  });

  it('rejects an invalid config with the field named', async () => {
    await expect(sim.configure({ projects: [{ id: '', limits: {} }] })).rejects.toThrow(/projects\.0\.id/);
  });
});
