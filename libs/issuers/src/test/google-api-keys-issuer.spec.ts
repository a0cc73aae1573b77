import { randomBytes } from 'node:crypto';
import {
  simApiKeys,
  spawnSimulator,
  testConfig,
  writeExternalAccountFile,
  type SpawnedSimulator,
} from '@keyfleet/testing';
import { createApiKeysClient } from '../api-keys-client';
import { GoogleApiKeysIssuer } from '../google-api-keys-issuer';
import { IssuerError } from '../issuer-error';
import { expectedRestrictions } from '../restrictions';

const FLASH = 'gemini-2.5-flash';
const PROJECT = 'proj-issuer';
const SERVICE_ACCOUNT = 'keyfleet@proj-issuer.iam.gserviceaccount.com';

describe('GoogleApiKeysIssuer against the simulator (REST create, @google-cloud/apikeys for the rest)', () => {
  let sim: SpawnedSimulator;
  let issuer: GoogleApiKeysIssuer;

  const generate = (key: string) =>
    fetch(`${sim.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
  const keyId = () => `kf-${randomBytes(6).toString('hex')}`;
  const request = (id: string, allowedIps: string[]) => ({
    gcpProjectId: PROJECT,
    keyId: id,
    displayName: `keyfleet ${id}`,
    restrictions: expectedRestrictions(allowedIps),
    serviceAccountEmail: SERVICE_ACCOUNT,
  });

  beforeAll(async () => {
    sim = await spawnSimulator({
      projects: [{ id: PROJECT, limits: { [FLASH]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } } }],
    });
    const config = testConfig({
      GOOGLE_APIKEYS_BASE_URL: sim.url,
      GOOGLE_APPLICATION_CREDENTIALS: writeExternalAccountFile(sim.url),
    });
    issuer = new GoogleApiKeysIssuer(createApiKeysClient(config));
  });
  afterAll(async () => {
    await issuer.close();
    await sim.stop();
  });

  it('issues a restricted auth key bound to the service account through ADC (external_account → STS)', async () => {
    const id = keyId();
    const issued = await issuer.issue(request(id, ['127.0.0.1']));
    expect(issued.name).toBe(`projects/${PROJECT}/locations/global/keys/${id}`);
    expect(issued.keyString).toMatch(/^AQ\./);
    const upstream = (await simApiKeys(sim.url).snapshot()).keys.find((key) => key.name === issued.name);
    expect(upstream).toMatchObject({
      serviceAccountEmail: SERVICE_ACCOUNT,
      restrictions: {
        apiTargets: [{ service: 'generativelanguage.googleapis.com' }],
        serverKeyRestrictions: { allowedIps: ['127.0.0.1'] },
      },
    });
    expect((await generate(issued.keyString)).status).toBe(200);
    expect(await issuer.find(issued.name)).toEqual({
      name: issued.name,
      deleted: false,
      restrictions: { services: ['generativelanguage.googleapis.com'], allowedIps: ['127.0.0.1'] },
    });
    expect((await simApiKeys(sim.url).snapshot()).exchanges).toBeGreaterThanOrEqual(1);
  });

  it('adopts the key an interrupted attempt made instead of making a second one', async () => {
    const id = keyId();
    const first = await issuer.issue(request(id, []));
    const before = (await simApiKeys(sim.url).snapshot()).counts.creates;
    const again = await issuer.issue(request(id, []));
    expect(again).toEqual(first);
    expect((await simApiKeys(sim.url).snapshot()).counts.creates).toBe(before);
  });

  it('re-applies restrictions, and deletes idempotently (the key then gets 400)', async () => {
    const issued = await issuer.issue(request(keyId(), ['203.0.113.7']));
    expect((await generate(issued.keyString)).status).toBe(403);
    await issuer.applyRestrictions(issued.name, expectedRestrictions(['127.0.0.1']));
    expect((await generate(issued.keyString)).status).toBe(200);
    await issuer.delete(issued.name);
    await issuer.delete(issued.name);
    expect((await issuer.find(issued.name))?.deleted).toBe(true);
    expect((await generate(issued.keyString)).status).toBe(400);
    expect(await issuer.find(`projects/${PROJECT}/locations/global/keys/kf-never-made`)).toBeNull();
  });

  it('waits for a create operation that needs several polls', async () => {
    await simApiKeys(sim.url).setFaults({ operationPolls: 3 });
    try {
      const issued = await issuer.issue(request(keyId(), ['127.0.0.1']));
      expect((await generate(issued.keyString)).status).toBe(200);
    } finally {
      await simApiKeys(sim.url).setFaults({ operationPolls: 1 });
    }
  });

  it('reports a failed create as a retryable IssuerError without making a key', async () => {
    await simApiKeys(sim.url).setFaults({ failCreates: 1 });
    const id = keyId();
    const failure = await issuer.issue(request(id, [])).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IssuerError);
    expect((failure as IssuerError).failure).toBe('unavailable');
    const names = (await simApiKeys(sim.url).snapshot()).keys.map((key) => key.name);
    expect(names.some((name) => name.endsWith(id))).toBe(false);
  });

  it('accepts a static GOOGLE_OAUTH_ACCESS_TOKEN, and fails unauthenticated with a bad one', async () => {
    await simApiKeys(sim.url).allowToken('static-test-token');
    const good = new GoogleApiKeysIssuer(
      createApiKeysClient(
        testConfig({ GOOGLE_APIKEYS_BASE_URL: sim.url, GOOGLE_OAUTH_ACCESS_TOKEN: 'static-test-token' }),
      ),
    );
    const bad = new GoogleApiKeysIssuer(
      createApiKeysClient(
        testConfig({ GOOGLE_APIKEYS_BASE_URL: sim.url, GOOGLE_OAUTH_ACCESS_TOKEN: 'not-a-token' }),
      ),
    );
    try {
      expect((await good.issue(request(keyId(), []))).keyString).toMatch(/^AQ\./);
      const failure = await bad.issue(request(keyId(), [])).catch((error: unknown) => error);
      expect((failure as IssuerError).failure).toBe('unauthenticated');
    } finally {
      await good.close();
      await bad.close();
    }
  });
});
