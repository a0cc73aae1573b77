import { spawnSync } from 'node:child_process';
import { findRepoRoot } from '@keyfleet/testing';

describe('npx keyfleet', () => {
  // The package's own bin, as a user runs it from a clone after `npm ci`.
  it('runs the CLI from the clone', () => {
    const run = spawnSync('npx', ['--no-install', 'keyfleet', '--version'], {
      cwd: findRepoRoot(),
      encoding: 'utf8',
    });
    expect(run.stdout.trim()).toBe('0.1.0');
    expect(run.status).toBe(0);
    const usage = spawnSync('npx', ['--no-install', 'keyfleet', 'usage'], {
      cwd: findRepoRoot(),
      encoding: 'utf8',
      env: { ...process.env, KF_ADMIN_TOKEN: '' },
    });
    expect(usage.stderr.trim()).toBe('keyfleet: no admin token: pass --key or set KF_ADMIN_TOKEN');
    expect(usage.status).toBe(2);
  }, 60_000);
});
