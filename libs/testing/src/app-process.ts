import { spawn, type ChildProcess } from 'node:child_process';
import { findRepoRoot } from './simulator/spawn-simulator';

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  output: string[];
}

/**
 * Starts one keyfleet app (`apps/<name>`, or `script` below the repository root) as a child process,
 * keeping its last log lines for when something fails.
 */
export function startApp(
  name: string,
  env: NodeJS.ProcessEnv,
  script = `apps/${name}/src/main.ts`,
): RunningProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], {
    cwd: findRepoRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, child, output };
}

export async function stopApp(proc: RunningProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls a URL until it answers 200, or fails with the process' last output. */
export async function waitReady(url: string, proc: RunningProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) break;
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${proc.name} did not become ready at ${url}:\n${proc.output.join('\n')}`);
}
