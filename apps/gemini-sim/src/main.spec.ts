// main.ts as a process: one listening line, SIM_CONFIG honoured, clean exit on SIGTERM, bad config named.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const ARGS = ['-r', '@swc-node/register', 'apps/gemini-sim/src/main.ts'];

function writeConfig(config: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gemini-sim-')), 'sim.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('main.ts', () => {
  it('prints exactly one listening line, serves SIM_CONFIG, and exits 0 on SIGTERM', async () => {
    const config = writeConfig({
      projects: [{ id: 'm', limits: { 'gemini-2.5-flash': { rpm: 1, tpm: 10, rpd: 1 } } }],
    });
    const child = spawn(process.execPath, ARGS, {
      cwd: ROOT,
      env: { ...process.env, SIM_PORT: '0', SIM_CONFIG: config },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /^gemini-sim listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
          if (match) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`exited before listening: ${stdout}`)));
      });
      const config = (await (await fetch(`${url}/sim/config`)).json()) as { projects: { id: string }[] };
      expect(config.projects.map((p) => p.id)).toEqual(['m']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses to start on an invalid SIM_CONFIG, naming the field', async () => {
    const config = writeConfig({ windowMode: 'sometimes', projects: [] });
    const failure = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ARGS,
        { cwd: ROOT, env: { ...process.env, SIM_PORT: '0', SIM_CONFIG: config } },
        (error, _out, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('windowMode');
  });
});
