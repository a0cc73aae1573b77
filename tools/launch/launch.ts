// `npm start`: applies migrations once, then runs api, worker and rotator side by side with prefixed output.
// Any of them exiting stops the others (a supervisor such as compose or k8s restarts the set).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const HEALTH_PORTS: Record<string, string> = { worker: '8081', rotator: '8082' };

function start(app: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, KF_RUN_MIGRATIONS: 'false' };
  if (HEALTH_PORTS[app] && !process.env['KF_HEALTH_PORT']) env['KF_HEALTH_PORT'] = HEALTH_PORTS[app];
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${app}/src/main.ts`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${app}]`.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  return child;
}

function main(): void {
  const apps = process.argv.slice(2);
  const migrate = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', 'libs/persistence/src/cli/run-migrations.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);

  const children = apps.map((app) => ({ app, child: start(app) }));
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 5000).unref();
  };
  for (const { app, child } of children) {
    child.on('exit', (code, signal) => {
      if (!stopping) console.error(`${app} exited (${signal ?? code}); stopping the others`);
      stopAll(code ?? 1);
      if (children.every(({ child: c }) => c.exitCode !== null || c.signalCode !== null))
        process.exit(code ?? 0);
    });
  }
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
}

main();
