// Starts apps/gemini-sim as a child process on a free port, for tests of other projects.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type {
  ResolvedSimConfig,
  SimAddKeyRequest,
  SimConfig,
  SimFaults,
  SimKeyPatch,
  SimKeyPolicy,
  SimProjectConfig,
  SimStats,
} from './sim-types';

export interface SpawnedSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (use as GEMINI_BASE_URL / the SDK's baseUrl). */
  url: string;
  stats(): Promise<SimStats>;
  resetStats(): Promise<void>;
  config(): Promise<ResolvedSimConfig>;
  /** Replaces the whole config; windows and stats start afresh. */
  configure(config: SimConfig): Promise<void>;
  setFaults(faults: SimFaults): Promise<void>;
  addProject(project: SimProjectConfig): Promise<void>;
  addKey(request: SimAddKeyRequest): Promise<void>;
  patchKey(key: string, patch: SimKeyPatch): Promise<void>;
  deleteKey(key: string): Promise<void>;
  /** Changes how standard keys and new keys are treated (merged into the current policy). */
  setKeyPolicy(policy: SimKeyPolicy): Promise<void>;
  stop(): Promise<void>;
}

export interface SpawnSimulatorOptions {
  /** How long to wait for the listening line (default 30 s; the first start compiles TypeScript). */
  startTimeoutMs?: number;
}

const LISTENING = /gemini-sim listening on (http:\/\/\S+)/;

/** The monorepo root: the nearest ancestor holding nx.json. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(
      () => fail(new Error(`gemini-sim did not start within ${timeoutMs} ms: ${errors}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`gemini-sim exited with code ${code}: ${errors}`)));
  });
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`gemini-sim ${method} ${new URL(url).pathname} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Spawns the simulator (`SIM_PORT=0`), waits until it listens, then PUTs `config`. Call stop() in afterAll. */
export async function spawnSimulator(
  config: SimConfig,
  options: SpawnSimulatorOptions = {},
): Promise<SpawnedSimulator> {
  const root = findRepoRoot();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/gemini-sim/src/main.ts'], {
    cwd: root,
    env: { ...process.env, SIM_PORT: '0', SIM_HOST: '127.0.0.1', SIM_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await waitForUrl(child, options.startTimeoutMs ?? 30_000);
  const admin = (method: string, route: string, body?: unknown) => call(`${url}/sim/${route}`, method, body);
  const sim: SpawnedSimulator = {
    url,
    stats: async () => (await admin('GET', 'stats')) as SimStats,
    resetStats: async () => void (await admin('POST', 'stats/reset')),
    config: async () => (await admin('GET', 'config')) as ResolvedSimConfig,
    configure: async (next) => void (await admin('PUT', 'config', next)),
    setFaults: async (faults) => void (await admin('PUT', 'faults', faults)),
    addProject: async (project) => void (await admin('POST', 'projects', project)),
    addKey: async (request) => void (await admin('POST', 'keys', request)),
    patchKey: async (key, patch) => void (await admin('PATCH', `keys/${encodeURIComponent(key)}`, patch)),
    deleteKey: async (key) => void (await admin('DELETE', `keys/${encodeURIComponent(key)}`)),
    setKeyPolicy: async (policy) => void (await admin('PUT', 'key-policy', policy)),
    stop: () => stopChild(child),
  };
  try {
    await sim.configure(config);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return sim;
}
