import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import { testConfig } from '@keyfleet/testing';
import { PoolService, ProjectsService, SecretReencryption, UpstreamKeysService } from '..';
import { RegistryModule } from '../registry.module';
import { bootRegistry, type RegistryHarness } from './registry-harness';

const SECRETS = ['AIzaSyReencryptOne000001', 'AIzaSyReencryptTwo000002', 'AIzaSyReencryptThree0003'];

describe('master-key rotation: npm run secrets:reencrypt (Postgres)', () => {
  let h: RegistryHarness;
  const opened: INestApplicationContext[] = [];
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  /** Another process on the same database with its own master keys. */
  async function processWith(env: Record<string, string>): Promise<INestApplicationContext> {
    const config = testConfig({ DATABASE_URL: h.db.url, KF_RUN_MIGRATIONS: 'false', ...env });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(config), RegistryModule],
    }).compile();
    const app = await moduleRef.init();
    opened.push(app);
    return app;
  }
  const servedSecrets = async (app: INestApplicationContext) =>
    (await app.get(PoolService).poolFor('gemini-2.5-flash'))
      .flatMap((project) => project.keys.map((key) => key.secret))
      .sort();
  const masterKeyIds = async () =>
    (
      await h.sql.query<Array<{ master_key_id: string }>>('SELECT DISTINCT master_key_id FROM upstream_keys')
    ).map((row) => row.master_key_id);

  beforeAll(async () => {
    h = await bootRegistry({ KF_MASTER_KEY: oldKey });
    const project = await h.app.get(ProjectsService).create({ name: 'p', tier: 'free' }, 'admin');
    for (const secret of SECRETS.slice(0, 2))
      await h.app.get(UpstreamKeysService).add(project.id, secret, 'admin');
  });
  afterAll(async () => {
    for (const app of opened) await app.close();
    await h.close();
  });

  it('re-seals every secret under the new key while readers use either key, then needs no previous key', async () => {
    const [oldId] = await masterKeyIds();
    const rolled = await processWith({ KF_MASTER_KEY: newKey, KF_PREVIOUS_MASTER_KEY: oldKey });
    // During the roll-out: a process with new + previous keys reads old secrets and seals new ones.
    const projectId = (await h.app.get(ProjectsService).list())[0].id;
    await rolled.get(UpstreamKeysService).add(projectId, SECRETS[2], 'admin');
    expect(await servedSecrets(rolled)).toEqual([...SECRETS].sort());

    const summary = await rolled.get(SecretReencryption).reencryptAll();

    expect(summary).toMatchObject({ reencrypted: 2, undecryptable: [] });
    expect(await masterKeyIds()).toEqual([summary.masterKeyId]);
    expect(summary.masterKeyId).not.toBe(oldId);
    const ciphertexts = await h.sql.query<Array<{ secret_ciphertext: Buffer }>>(
      'SELECT secret_ciphertext FROM upstream_keys',
    );
    for (const secret of SECRETS) expect(JSON.stringify(ciphertexts)).not.toContain(secret);
    // Afterwards the previous key can go: a process with only the new key reads everything.
    expect(await servedSecrets(await processWith({ KF_MASTER_KEY: newKey }))).toEqual([...SECRETS].sort());
    // A second run has nothing left to do.
    expect((await rolled.get(SecretReencryption).reencryptAll()).reencrypted).toBe(0);
  });

  it('reports secrets sealed with a key it does not have, and leaves them alone', async () => {
    const stranger = await processWith({ KF_MASTER_KEY: randomBytes(32).toString('base64') });
    const summary = await stranger.get(SecretReencryption).reencryptAll();
    expect(summary.reencrypted).toBe(0);
    expect(summary.undecryptable).toHaveLength(3);
    expect((await masterKeyIds()).length).toBe(1);
  });
});
