import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { KeyfleetConfig } from '@keyfleet/config';
import { expectedRestrictions, KeyIssuers, type IssuedKey } from '@keyfleet/issuers';
import { ProjectsService, UpstreamKeysService, type UpstreamKeyView } from '@keyfleet/registry';
import {
  createTestDatabase,
  simApiKeys,
  spawnSimulator,
  testConfig,
  writeExternalAccountFile,
  type SimApiKeysSnapshot,
  type SpawnedSimulator,
  type TestDatabase,
} from '@keyfleet/testing';
import { RotatorModule } from '../rotator.module';

export const MODEL = 'gemini-2.5-flash';
/** The egress IPs every test project declares: the local address the simulator sees, and one more. */
export const EGRESS_IPS = ['127.0.0.1', '203.0.113.7'];

/** The service account a test project's auth keys are bound to. */
export function serviceAccountOf(gcpProjectId: string): string {
  return `keyfleet@${gcpProjectId}.iam.gserviceaccount.com`;
}

export interface RotatorHarness {
  sim: SpawnedSimulator;
  db: TestDatabase;
  sql: DataSource;
  config: KeyfleetConfig;
  /** A rotator (no queue worker, no schedule: it acts only when called). */
  openRotator(env?: Record<string, string>): Promise<INestApplicationContext>;
  /** Stops a rotator opened here (to play a crash between steps). */
  closeRotator(app: INestApplicationContext): Promise<void>;
  /** A google-api-keys project (gcp id = sim project id) with `keys` issued through the API Keys API. */
  issuerProject(gcpProjectId: string, keys?: number): Promise<{ projectId: string; keys: UpstreamKeyView[] }>;
  apiKeys(): Promise<SimApiKeysSnapshot>;
  /** A call to the simulator's generateContent with this key: its HTTP status. */
  generateStatus(keyString: string): Promise<number>;
  close(): Promise<void>;
}

/** Simulator projects for the given gcp ids, each with room for any test. */
export async function bootRotatorHarness(
  gcpProjectIds: string[],
  env: Record<string, string> = {},
): Promise<RotatorHarness> {
  const sim = await spawnSimulator({
    projects: gcpProjectIds.map((id) => ({ id, limits: { [MODEL]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } } })),
  });
  const db = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: db.url,
    KF_RUN_MIGRATIONS: 'false',
    GEMINI_BASE_URL: sim.url,
    GOOGLE_APIKEYS_BASE_URL: sim.url,
    GOOGLE_APPLICATION_CREDENTIALS: writeExternalAccountFile(sim.url),
    KF_ROTATION_GRACE_SECONDS: '0',
    KF_ROTATION_RETRY_SECONDS: '1',
    KF_LOG_LEVEL: 'silent',
    ...env,
  });
  const contexts: INestApplicationContext[] = [];
  const openRotator = async (extra: Record<string, string> = {}) => {
    const own = Object.keys(extra).length ? { ...config, ...testConfigOverrides(config, extra) } : config;
    const app = await NestFactory.createApplicationContext(
      RotatorModule.forRoot(own, { background: false }),
      {
        logger: false,
      },
    );
    await app.init();
    contexts.push(app);
    return app;
  };
  const main = await openRotator();
  const issueInitial = async (gcpProjectId: string, index: number): Promise<IssuedKey> => {
    const issuer = main.get(KeyIssuers).of('google-api-keys');
    if (!issuer) throw new Error('no google-api-keys issuer');
    return issuer.issue({
      gcpProjectId,
      keyId: `initial-${index}-${Date.now().toString(36)}`,
      displayName: 'initial',
      restrictions: expectedRestrictions(EGRESS_IPS),
      serviceAccountEmail: serviceAccountOf(gcpProjectId),
    });
  };
  return {
    sim,
    db,
    sql: await db.dataSource(),
    config,
    openRotator,
    closeRotator: async (app) => {
      contexts.splice(contexts.indexOf(app), 1);
      await app.close();
    },
    issuerProject: async (gcpProjectId, count = 1) => {
      const project = await main.get(ProjectsService).create(
        {
          name: gcpProjectId,
          gcpProjectId,
          tier: 'free',
          egressIps: EGRESS_IPS,
          issuer: 'google-api-keys',
          serviceAccountEmail: serviceAccountOf(gcpProjectId),
        },
        'admin',
      );
      const keys: UpstreamKeyView[] = [];
      for (let index = 0; index < count; index++) {
        const issued = await issueInitial(gcpProjectId, index);
        keys.push(
          await main
            .get(UpstreamKeysService)
            .add(project.id, issued.keyString, 'admin', { upstreamName: issued.name }),
        );
      }
      return { projectId: project.id, keys };
    },
    apiKeys: () => simApiKeys(sim.url).snapshot(),
    generateStatus: async (keyString) => {
      const response = await fetch(`${sim.url}/v1beta/models/${MODEL}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': keyString, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }),
      });
      await response.text();
      return response.status;
    },
    close: async () => {
      for (const context of contexts.reverse()) await context.close().catch(() => undefined);
      await sim.stop();
      await db.drop();
    },
  };
}

/** The parts of a config that the rotator tests vary per process (grace, retry, proof). */
function testConfigOverrides(base: KeyfleetConfig, env: Record<string, string>): Partial<KeyfleetConfig> {
  const grace = env['KF_ROTATION_GRACE_SECONDS'];
  const retry = env['KF_ROTATION_RETRY_SECONDS'];
  const proof = env['KF_KEY_PROOF_SECONDS'];
  const maxProofFailures = env['KF_KEY_PROOF_MAX_FAILURES'];
  return {
    rotation: {
      ...base.rotation,
      ...(grace !== undefined ? { graceSeconds: Number(grace) } : {}),
      ...(retry !== undefined ? { retrySeconds: Number(retry) } : {}),
      ...(proof !== undefined ? { proofSeconds: Number(proof) } : {}),
      ...(maxProofFailures !== undefined ? { maxProofFailures: Number(maxProofFailures) } : {}),
    },
  };
}

/** Makes a key due for rotation now. */
export async function makeDue(sql: DataSource, keyId: string): Promise<void> {
  await sql.query(`UPDATE upstream_keys SET rotation_due_at = now() - interval '1 minute' WHERE id = $1`, [
    keyId,
  ]);
}

/** Lets a rotation's current step run now (as if its drain or backoff were over). */
export async function makeReady(sql: DataSource, oldKeyId: string): Promise<void> {
  await sql.query(`UPDATE key_rotations SET next_attempt_at = now() WHERE old_key_id = $1`, [oldKeyId]);
}

export interface RotationRow {
  id: string;
  step: string;
  reason: string;
  new_key_id: string | null;
  upstream_key_id: string;
  failures: number;
  last_error: string | null;
  next_attempt_at: Date;
}

export async function rotationOf(sql: DataSource, oldKeyId: string): Promise<RotationRow | undefined> {
  const rows: RotationRow[] = await sql.query('SELECT * FROM key_rotations WHERE old_key_id = $1', [
    oldKeyId,
  ]);
  return rows[0];
}

export async function statusesOf(sql: DataSource, projectId: string): Promise<Record<string, string>> {
  const rows: Array<{ id: string; status: string }> = await sql.query(
    'SELECT id, status FROM upstream_keys WHERE project_id = $1',
    [projectId],
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.status]));
}
