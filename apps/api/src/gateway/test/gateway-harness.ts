import { spawnSimulator, type SimConfig, type SpawnedSimulator } from '@keyfleet/testing';
import { bootApi, type ApiHarness } from '../../admin/test/api-harness';

export const FLASH = 'gemini-2.5-flash';

export interface ModelLimits {
  rpm: number;
  tpm: number;
  rpd: number;
}

/** The simulator and a real api (own database, own Redis prefix), with a client allowed from localhost. */
export interface Gateway {
  sim: SpawnedSimulator;
  api: ApiHarness;
  url: string;
  clientKey: string;
  /** Registers a keyfleet project with these limits and keys (the same keys the sim knows). */
  addProject(name: string, limits: Record<string, ModelLimits>, secrets: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function bootGateway(sim: SimConfig, env: Record<string, string> = {}): Promise<Gateway> {
  const simulator = await spawnSimulator(sim);
  const api = await bootApi({ GEMINI_BASE_URL: simulator.url, KF_LOG_LEVEL: 'error', ...env });
  const created = await api.admin<{ key: string }>('POST', '/clients', {
    name: 'sdk-team',
    allowedIps: ['127.0.0.1/32', '::1/128'],
  });
  if (created.status !== 201) throw new Error(`client creation failed: ${created.text}`);
  return {
    sim: simulator,
    api,
    url: api.url,
    clientKey: created.body.key,
    addProject: async (name, limits, secrets) => {
      const project = await api.admin<{ id: string }>('POST', '/projects', { name, limits });
      if (project.status !== 201) throw new Error(`project creation failed: ${project.text}`);
      for (const secret of secrets) {
        const key = await api.admin('POST', `/projects/${project.body.id}/keys`, { secret });
        if (key.status !== 201) throw new Error(`key creation failed: ${key.text}`);
      }
      return project.body.id;
    },
    close: async () => {
      await api.close();
      await simulator.stop();
    },
  };
}

/**
 * A keyfleet project with one key serving `limits`, and a client allowed from localhost: the client's key.
 * For specs whose upstream is their own small HTTP server rather than the simulator.
 */
export async function addPoolAndClient(
  api: ApiHarness,
  name: string,
  limits: Record<string, ModelLimits>,
  secret: string,
): Promise<string> {
  const project = await api.admin<{ id: string }>('POST', '/projects', { name, limits });
  await api.admin('POST', `/projects/${project.body.id}/keys`, { secret });
  const client = await api.admin<{ key: string }>('POST', '/clients', {
    name,
    allowedIps: ['127.0.0.1/32', '::1/128'],
  });
  return client.body.key;
}

/** A sim project (paid tier) with these limits and keys. */
export function simProject(id: string, limits: Record<string, ModelLimits>, keys: string[]) {
  return { id, tier: 'paid' as const, limits, keys };
}

/** Inside Jest the SDK cannot reach Node's global undici dispatcher; handing it fetch avoids that. */
export const jestFetch: typeof fetch = (input, init) => fetch(input, init);
