import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { findRepoRoot } from '@keyfleet/testing';
import { envVarDocs } from './config-docs';
import { envSchema } from './env-schema';

const root = findRepoRoot();

describe('configuration docs, generated from the env schema', () => {
  it('describe every variable the schema reads', () => {
    expect(envVarDocs().map((v) => v.name)).toEqual(Object.keys(envSchema.shape));
    expect(envVarDocs().find((v) => v.name === 'KF_ADMIN_TOKEN')).toMatchObject({
      required: true,
      defaultValue: null,
    });
    expect(envVarDocs().find((v) => v.name === 'PORT')).toMatchObject({
      required: false,
      defaultValue: '8080',
    });
  });

  // A child process: Prettier (which aligns the table) loads its plugins by dynamic import, which Jest refuses.
  it("are the README's configuration table and .env.example as committed (else: npm run config:docs)", () => {
    const check = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/docs/config-docs.ts', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(check.stdout.trim()).toBe('configuration docs are current');
    expect(check.status).toBe(0);
  }, 60_000);

  it('name a variable that has no description', () => {
    const schema = z.object({
      KF_DOCUMENTED: z.string().describe('fine'),
      KF_NEW_SETTING: z.string().default('x'),
    });
    expect(() => envVarDocs(schema)).toThrow(
      'KF_NEW_SETTING has no .describe() in libs/config/src/env-schema.ts',
    );
  });
});
