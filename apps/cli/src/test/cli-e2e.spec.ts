import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findRepoRoot,
  keepScreenshot,
  launchChromium,
  startProcessStack,
  type ProcessStack,
} from '@keyfleet/testing';
import { ExitCode } from '../exit-codes';

const MODEL = 'gemini-2.5-flash';
const LIMITS = { rpm: 10_000, tpm: 10_000_000, rpd: 1_000_000 };
const KEYS = { alpha: 'AQ.ACliAlphaKey00000001', beta: 'AQ.ACliBetaKey000000002' };
const COUNT = 500;

/** What the simulator answers to a prompt: "sim:" + the first 12 hex digits of sha1(prompt). */
const simAnswer = (prompt: string) => `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;
const line = (key: string, prompt: string) =>
  JSON.stringify({ key, request: { contents: [{ role: 'user', parts: [{ text: prompt }] }] } });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('keyfleet CLI end to end (api and worker processes, the simulator)', () => {
  let stack: ProcessStack;
  let dir: string;
  let clientKey: string;
  let batchId: string;
  let watchOutput: string;

  /** Runs `keyfleet …` as a user would (the package's bin), with the server and key in the environment. */
  function keyfleet(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
    const bin = join(findRepoRoot(), 'apps/cli/bin/keyfleet.js');
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, KEYFLEET_URL: stack.apiUrl, KEYFLEET_KEY: clientKey, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }
  const admin = (args: string[]) => keyfleet(args, { KF_ADMIN_TOKEN: stack.env['KF_ADMIN_TOKEN'] });
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kf-cli-'));
    stack = await startProcessStack(
      {
        // Slow enough answers and a small worker that the batch takes a few seconds: watch sees it move.
        latencyMs: { min: 100, max: 400 },
        projects: [
          { id: 'sim-alpha', tier: 'paid', limits: { [MODEL]: LIMITS }, keys: [KEYS.alpha] },
          { id: 'sim-beta', tier: 'paid', limits: { [MODEL]: LIMITS }, keys: [KEYS.beta] },
        ],
      },
      { env: { KF_MAX_IN_FLIGHT: '32' } },
    );
    clientKey = await stack.newClient('team-cli');
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('admin: adds projects, imports keys from CSV (a report of what was added and refused), lists them', async () => {
    const limit = `${MODEL}=${LIMITS.rpm}:${LIMITS.tpm}:${LIMITS.rpd}`;
    for (const name of ['alpha', 'beta']) {
      const added = await admin(['projects', 'add', name, '--limit', limit]);
      expect(added).toMatchObject({
        code: ExitCode.Ok,
        stdout: expect.stringContaining(`project ${name} added`),
      });
    }
    const projects = JSON.parse((await admin(['projects', 'ls', '--json'])).stdout) as Array<{
      name: string;
    }>;
    expect(projects.map((p) => p.name).sort()).toEqual(['alpha', 'beta']);

    const csv = file(
      'keys.csv',
      [
        'project,secret',
        `alpha,${KEYS.alpha}`,
        `beta,${KEYS.beta}`,
        `gamma,AQ.ANoSuchProject0001`,
        'alpha,short',
        '',
      ].join('\n'),
    );
    const imported = await admin(['keys', 'import', csv, '--json']);
    expect(imported.code).toBe(ExitCode.Invalid);
    const report = JSON.parse(imported.stdout) as {
      added: Array<{ line: number; project: string; lastFour: string }>;
      refused: Array<{ line: number; message: string }>;
    };
    expect(report.added.map((a) => [a.line, a.project, a.lastFour])).toEqual([
      [2, 'alpha', '0001'],
      [3, 'beta', '0002'],
    ]);
    expect(report.refused).toEqual([
      { line: 4, message: 'project: no project named or numbered "gamma"' },
      { line: 5, message: 'secret: expected at least 8 characters' },
    ]);
    expect(imported.stdout + imported.stderr).not.toContain(KEYS.alpha); // secrets are never echoed
    expect(imported.stderr).toContain('2 of 4 lines refused');

    const keys = JSON.parse((await admin(['keys', 'ls', '--due', '30', '--json'])).stdout) as unknown[];
    expect(keys).toHaveLength(2);
    expect((await admin(['keys', 'ls', '--due', '1', '--json'])).stdout.trim()).toBe('[]');
  }, 60_000);

  it(`submits a ${COUNT}-line file (streamed), watches it to the end, and its results match`, async () => {
    const prompts = Array.from({ length: COUNT }, (_, i) => `CLI question ${i + 1}: ${i} + ${i}?`);
    const jsonl = file('batch.jsonl', `${prompts.map((p, i) => line(`row-${i + 1}`, p)).join('\n')}\n`);
    const submitted = await keyfleet(['submit', jsonl, '--model', MODEL, '--display-name', 'cli e2e']);
    expect(submitted).toMatchObject({ code: ExitCode.Ok, stderr: expect.stringContaining('submitted 500') });
    batchId = submitted.stdout.trim();
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);

    const watched = await keyfleet(['watch', batchId, '--interval', '200']);
    expect(watched.stderr).toBe('');
    expect(watched.code).toBe(ExitCode.Ok);
    watchOutput = watched.stdout;
    expect(watched.stdout).toContain(`${COUNT}/${COUNT} | ok ${COUNT} failed 0 running 0 pending 0`);
    expect(watched.stdout).toContain('100% | completed');
    expect(watched.stdout.trim().split('\n').length).toBeGreaterThan(2); // it saw the batch move

    const results = await keyfleet(['results', batchId]);
    expect(results.code).toBe(ExitCode.Ok);
    const lines = results.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            key: string;
            response: { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
          },
      );
    expect(lines).toHaveLength(COUNT);
    lines.forEach((result, i) => {
      expect(result.key).toBe(`row-${i + 1}`);
      expect(result.response.candidates[0].content.parts[0].text).toBe(simAnswer(prompts[i]));
    });
    expect((await stack.sim.stats()).totals.refused429).toBe(0);
  }, 120_000);

  it('refuses a file with bad lines, naming the line; nothing is submitted', async () => {
    const good = Array.from({ length: 20 }, (_, i) => line(`k${i + 1}`, `p${i}`));
    good[16] = '{"key": "k17", "request": ';
    const bad = await keyfleet(['submit', file('bad.jsonl', good.join('\n')), '--model', MODEL]);
    expect(bad).toMatchObject({ code: ExitCode.Invalid, stdout: '' });
    expect(bad.stderr).toMatch(/^keyfleet: line 17: not valid JSON/);
    const dup = [line('a', 'x'), line('b', 'y'), line('a', 'z')].join('\n');
    const duplicate = await keyfleet(['submit', file('dup.jsonl', dup), '--model', MODEL]);
    expect(duplicate.stderr.trim()).toBe('keyfleet: line 3: key: duplicate key "a"');
    const page = await fetch(`${stack.apiUrl}/v1/batches`, {
      headers: { authorization: `Bearer ${clientKey}` },
    });
    expect(((await page.json()) as { batches: unknown[] }).batches).toHaveLength(1);
  }, 60_000);

  it('answers a wrong key, an unknown batch and a bad command line with their own exit codes and messages', async () => {
    const wrongKey = await keyfleet(['watch', batchId], {
      KEYFLEET_KEY: 'kf_wrongwrongwrongwrongwrongwrong',
    });
    expect(wrongKey).toMatchObject({ code: ExitCode.Auth, stdout: '' });
    expect(wrongKey.stderr.trim()).toBe('keyfleet: invalid, expired or revoked client key');
    const wrongAdmin = await keyfleet(['quota'], { KF_ADMIN_TOKEN: 'not-the-admin-token-00000' });
    expect(wrongAdmin.code).toBe(ExitCode.Auth);
    expect(wrongAdmin.stderr.trim()).toBe('keyfleet: missing or invalid admin token');
    const unknown = await keyfleet(['results', randomUUID()]);
    expect(unknown.code).toBe(ExitCode.NotFound);
    expect(unknown.stderr).toMatch(/^keyfleet: batch .* not found/);
    expect((await keyfleet(['submit', 'nope.jsonl', '--model', MODEL])).code).toBe(ExitCode.Usage);
    expect((await keyfleet(['submit', 'x.jsonl'])).code).toBe(ExitCode.Usage); // --model missing
    const down = await keyfleet(['watch', batchId], { KEYFLEET_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(ExitCode.Unavailable);
    expect(down.stderr).toMatch(/^keyfleet: keyfleet is unreachable/);
  }, 60_000);

  it('admin: quota and usage as a table and JSON; cancel, rotate', async () => {
    const table = await admin(['quota']);
    expect(table.code).toBe(ExitCode.Ok);
    expect(table.stdout).toMatch(/alpha\s*│\s*gemini-2\.5-flash/);
    const rows = JSON.parse((await admin(['quota', '--json'])).stdout) as Array<{
      today: { requests: number };
    }>;
    expect(rows.reduce((sum, r) => sum + r.today.requests, 0)).toBe(COUNT);
    // Accounting: every item of the batch, recorded with its result by the worker.
    const usage = await admin(['usage', '--group-by', 'model,lane']);
    expect(usage.stdout).toMatch(new RegExp(`gemini-2\\.5-flash\\s*│\\s*live\\s*│\\s*${COUNT}\\s*│`));
    const report = JSON.parse((await admin(['usage', '--group-by', 'client', '--json'])).stdout) as {
      totals: { requests: number; costMicroUsd: number };
    };
    expect(report.totals.requests).toBe(COUNT);
    expect(report.totals.costMicroUsd).toBeGreaterThan(0);
    const cancelled = await keyfleet(['cancel', batchId, '--json']);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: batchId, status: 'completed' });

    const [key] = JSON.parse((await admin(['keys', 'ls', '--project', 'alpha', '--json'])).stdout) as Array<{
      id: string;
    }>;
    const rotated = await admin([
      'keys',
      'rotate',
      key.id,
      '--secret-file',
      file('new.key', 'AQ.ACliAlphaKey00000009\n'),
    ]);
    expect(rotated).toMatchObject({
      code: ExitCode.Ok,
      stdout: expect.stringContaining('replaced by …0009'),
    });
  }, 60_000);

  it('writes a screenshot of `keyfleet watch` for the README', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1100, height: 200 });
      await page.setContent(
        terminalPage(
          `$ keyfleet submit batch.jsonl --model ${MODEL}\n${batchId}\n$ keyfleet watch ${batchId}\n${watchOutput}`,
        ),
      );
      keepScreenshot('keyfleet-watch.png', await page.screenshot({ fullPage: true }));
    } finally {
      await browser.close();
    }
  }, 60_000);
});

function terminalPage(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<html><body style="margin:0;background:#1e1e1e"><pre style="color:#d4d4d4;font:14px/1.45 monospace;padding:16px;margin:0">${escaped}</pre></body></html>`;
}
