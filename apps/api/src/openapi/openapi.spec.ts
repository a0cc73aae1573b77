import { Controller, Get, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { testConfig } from '@keyfleet/testing';
import { bootApi, type ApiHarness } from '../admin/test/api-harness';
import { AppModule } from '../app.module';
import { controllersOf } from './controllers-of';
import { servedRoutes, undocumented } from './openapi-document';
import { ApiRoute } from './route-doc';
import { batchView } from './schemas/batches';
import { clientView, projectView, upstreamKeyView } from './schemas/registry';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
}

/** The routes Express serves (Nest registers each controller method as one; its own catch-all aside). */
function expressRoutes(api: ApiHarness): string[] {
  const express = api.app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route && layer.route.path !== '{/*splat}'
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${layer.route?.path}`)
      : [],
  );
}

/** The same keys as the schema documents, and valid against it: no undocumented field, none missing. */
function expectDocumented(schema: z.ZodObject, body: unknown): void {
  if (typeof body !== 'object' || body === null) throw new Error(`not an object: ${String(body)}`);
  expect(Object.keys(body).sort()).toEqual(Object.keys(schema.shape).sort());
  expect(schema.safeParse(body).error).toBeUndefined();
}

describe('OpenAPI document (GET /openapi.json, /docs)', () => {
  let api: ApiHarness;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    api = await bootApi();
    const response = await api.call<OpenApiDoc>('GET', '/openapi.json');
    expect(response.status).toBe(200);
    doc = response.body;
  });

  afterAll(async () => {
    await api.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route the app serves (the failure names the route lacking a schema)', () => {
    const controllers = [...api.app.get(ModulesContainer).values()].flatMap((module) =>
      [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
    );
    const routes = servedRoutes(controllers);
    expect(undocumented(routes)).toEqual([]);
    // Nothing reaches Express besides these controllers' routes (Bull Board is middleware, under /admin/queues).
    const served = new Set(routes.map((route) => `${route.method} ${route.path}`));
    expect(expressRoutes(api).filter((route) => !served.has(route))).toEqual([]);
    expect(expressRoutes(api).length).toBe(served.size);
    // Each served route is in the document under its OpenAPI path.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of routes.filter((r) => !r.path.includes(':target')))
      expect(documented).toContain(`${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    for (const method of ['generateContent', 'streamGenerateContent', 'countTokens'])
      expect(documented).toContain(`POST /v1beta/models/{model}:${method}`);
  });

  it('finds the same controllers from the module metadata alone (what `npm run openapi` writes from)', () => {
    const names = (types: Type[]) => types.map((type) => type.name).sort();
    const running = [...api.app.get(ModulesContainer).values()].flatMap((module) =>
      [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
    );
    expect(names(controllersOf(AppModule.forRoot(testConfig())))).toEqual(names(running));
  });

  it('says who may call what: admin token, client key, or nobody in particular', () => {
    expect(doc.paths['/admin/v1/projects']?.['post']?.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/v1/batches']?.['post']?.security).toEqual([
      { clientKey: [] },
      { clientKeyHeader: [] },
      { clientKeyQuery: [] },
    ]);
    expect(doc.paths['/healthz']?.['get']?.security).toEqual([]);
    expect(Object.keys(doc.paths['/v1/batches']?.['post']?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '413']),
    );
  });

  it('matches what the routes really answer (each documented field, and only those)', async () => {
    const project = await api.admin('POST', '/projects', {
      name: 'openapi-p',
      limits: { 'gemini-2.5-flash': { rpm: 10, tpm: 1000, rpd: 100 } },
    });
    expect(project.status).toBe(201);
    expectDocumented(projectView, project.body);
    const key = await api.admin('POST', `/projects/${project.body.id}/keys`, {
      secret: 'AQ.AOpenApiSpecKey0001',
    });
    expectDocumented(upstreamKeyView, key.body);
    const created = await api.admin('POST', '/clients', { name: 'openapi-c', allowedIps: ['127.0.0.1/32'] });
    expectDocumented(clientView, created.body.client);
    const batch = await api.call('POST', '/v1/batches', {
      headers: { authorization: `Bearer ${created.body.key}` },
      body: {
        model: 'gemini-2.5-flash',
        requests: [{ key: 'a', request: { contents: [{ parts: [{ text: 'x' }] }] } }],
      },
    });
    expect(batch.status).toBe(202);
    expectDocumented(batchView, batch.body);
  });

  it('serves Swagger UI at /docs from local files', async () => {
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    const bundle = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await api.call('GET', '/docs/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('every route needs a schema', () => {
  @Controller('x')
  class HalfDocumented {
    @Get('documented')
    @ApiRoute({ summary: 'fine', auth: 'none', responses: { 200: z.object({}) } })
    documented(): object {
      return {};
    }

    @Get('forgotten/:id')
    forgotten(): object {
      return {};
    }
  }

  it('names the route that has none', () => {
    expect(undocumented(servedRoutes([HalfDocumented]))).toEqual([
      'GET /x/forgotten/:id (HalfDocumented.forgotten) has no @ApiRoute schema',
    ]);
  });
});
