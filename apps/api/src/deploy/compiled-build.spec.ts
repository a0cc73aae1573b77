import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import {
  createTestDatabase,
  findRepoRoot,
  freePort,
  TEST_ADMIN_TOKEN,
  TEST_REDIS_URL,
  uniquePrefix,
  type TestDatabase,
} from '@keyfleet/testing';

const root = findRepoRoot();

/** The package a `require()` names: `@scope/name` or `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(dir, file));
}

/** Starts a compiled app with plain `node`: no TypeScript loader anywhere. */
function startCompiled(app: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [`dist/apps/${app}/src/main.js`], {
    cwd: root,
    env: { PATH: process.env['PATH'], ...env },
    stdio: 'ignore',
  });
}

async function ready(url: string, child: ChildProcess): Promise<Response> {
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const response = await fetch(url).catch(() => null);
    if (response?.ok) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer (exit code ${child.exitCode})`);
}

describe('the compiled build (what the image runs)', () => {
  const children: ChildProcess[] = [];
  let db: TestDatabase;

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['tools/build/build.js'], { cwd: root, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
  }, 180_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
    await db?.drop();
  }, 30_000); // a loaded machine can take more than Jest's 5 s to stop three Node processes

  it('needs only production dependencies at run time', () => {
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const runtime = jsFiles(join(root, 'dist')).filter(
      (file) => !/dist\/(libs\/testing|node_modules)\//.test(file),
    );
    const required = new Set(
      runtime.flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)].map(([, name]) =>
          packageOf(name),
        ),
      ),
    );
    const builtins = new Set(builtinModules);
    const outside = [...required].filter(
      (name) =>
        !name.startsWith('node:') &&
        !builtins.has(name) &&
        !name.startsWith('@keyfleet/') &&
        !dependencies[name],
    );
    expect(outside).toEqual([]);
    expect(required.has('@keyfleet/testing')).toBe(false);
  });

  it('serves the api, the worker and the CLI with plain node', async () => {
    db = await createTestDatabase();
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      KF_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      KF_MASTER_KEY: randomBytes(32).toString('base64'),
      KF_QUEUE_PREFIX: uniquePrefix('kf-dist'),
      KF_LOG_LEVEL: 'warn',
    };
    const api = startCompiled('api', { ...env, PORT: String(apiPort) });
    children.push(api);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await ready(`${apiUrl}/readyz`, api);
    expect((await ready(`${apiUrl}/openapi.json`, api)).headers.get('content-type')).toContain('json');
    expect(await (await ready(`${apiUrl}/dashboard`, api)).text()).toContain('/dashboard/dashboard.js');

    const worker = startCompiled('worker', {
      ...env,
      KF_HEALTH_PORT: String(workerPort),
      KF_RUN_MIGRATIONS: 'false',
    });
    children.push(worker);
    await ready(`http://127.0.0.1:${workerPort}/readyz`, worker);

    // The image's HEALTHCHECK script: healthy on the process' port, unhealthy elsewhere.
    const healthcheck = (port: number) =>
      spawnSync(process.execPath, ['tools/docker/healthcheck.js'], { cwd: root, env: { PORT: String(port) } })
        .status;
    expect(healthcheck(apiPort)).toBe(0);
    expect(healthcheck(await freePort())).toBe(1);

    const cli = spawnSync(
      process.execPath,
      ['dist/apps/cli/src/main.js', 'usage', '--json', '--url', apiUrl],
      {
        cwd: root,
        env: { PATH: process.env['PATH'], KF_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ rows: [], totals: { requests: 0, costMicroUsd: 0 } });
  }, 120_000);
});
