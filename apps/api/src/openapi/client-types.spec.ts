import { spawnSync } from 'node:child_process';
import { findRepoRoot } from '@keyfleet/testing';

describe("the CLI's client (openapi-typescript + openapi-fetch)", () => {
  // A child process: openapi-typescript's dependencies are ES modules that Jest on Node 20 cannot load.
  it('is generated from the current OpenAPI document (run `npm run openapi` after changing a route)', () => {
    const check = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/openapi/generate.ts', '--check'],
      {
        cwd: findRepoRoot(),
        encoding: 'utf8',
      },
    );
    expect(check.stdout.trim()).toBe('apps/cli/src/generated/keyfleet-api.ts is current');
    expect(check.status).toBe(0);
  }, 60_000);
});
