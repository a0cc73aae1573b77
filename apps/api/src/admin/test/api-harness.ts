/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of many shapes, read by the specs */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { createTestDatabase, TEST_ADMIN_TOKEN, testConfig, type TestDatabase } from '@keyfleet/testing';
import type { Clock } from '@keyfleet/registry';
import { createApiApp } from '../../create-api-app';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface ApiHarness {
  url: string;
  app: NestExpressApplication;
  sql: DataSource;
  /** Every response body text seen, to check no secret ever left the api. */
  seenBodies: string[];
  admin<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  call<T = any>(
    method: string,
    path: string,
    init?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** A real api on a port of its own and a database of its own (and its caches on `clock`, if given). */
export async function bootApi(
  env: Record<string, string> = {},
  db?: TestDatabase,
  clock?: Clock,
): Promise<ApiHarness> {
  const database = db ?? (await createTestDatabase());
  const app: NestExpressApplication = await createApiApp(
    testConfig({ DATABASE_URL: database.url, KF_RUN_MIGRATIONS: 'false', ...env }),
    clock,
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const seenBodies: string[] = [];
  const call = async (
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...init.headers };
    let payload: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    }
    const response = await fetch(`${url}${path}`, { method, headers, body: payload });
    const text = await response.text();
    seenBodies.push(text);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body, text };
  };
  return {
    url,
    app,
    sql: await database.dataSource(),
    seenBodies,
    call,
    admin: (method, path, body) =>
      call(method, `/admin/v1${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body }),
    close: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
