import createClient, { type Client } from 'openapi-fetch';
import { CliError, exitCodeOfStatus, ExitCode } from './exit-codes';
import type { paths } from './generated/keyfleet-api';

export type KeyfleetApi = Client<paths>;

/** Options every command takes. */
export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * A typed client of keyfleet's API (generated from its OpenAPI document), authenticated as a client
 * (`--key`, KEYFLEET_KEY) or as the admin (`--key`, KF_ADMIN_TOKEN).
 */
export function connect(
  options: GlobalOptions,
  as: 'client' | 'admin',
): { api: KeyfleetApi; baseUrl: string } {
  const baseUrl = (options.url ?? process.env['KEYFLEET_URL'] ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl))
    throw new CliError(ExitCode.Usage, `--url: "${baseUrl}" is not an http(s) URL`);
  const key = options.key ?? (as === 'admin' ? process.env['KF_ADMIN_TOKEN'] : process.env['KEYFLEET_KEY']);
  if (!key) {
    const source = as === 'admin' ? 'KF_ADMIN_TOKEN' : 'KEYFLEET_KEY';
    throw new CliError(
      ExitCode.Usage,
      `no ${as === 'admin' ? 'admin token' : 'client key'}: pass --key or set ${source}`,
    );
  }
  const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${key}` } });
  return { api, baseUrl };
}

/** The answer's data, or a CliError with keyfleet's own message and the exit code of its status. */
export async function answer<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw unreachable(error);
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  throw httpError(result.response.status, result.error);
}

/** keyfleet's error message (Gemini's shape), or the status when there is none. */
export function httpError(status: number, body: unknown): CliError {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return new CliError(exitCodeOfStatus(status), typeof message === 'string' ? message : `HTTP ${status}`);
}

export function unreachable(error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new CliError(ExitCode.Unavailable, `keyfleet is unreachable: ${detail}`);
}
