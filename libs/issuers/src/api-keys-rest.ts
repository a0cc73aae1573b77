import { setTimeout as sleep } from 'node:timers/promises';
import type { gaxios } from 'google-auth-library';
import { IssuerError, type IssuerFailure } from './issuer-error';

/** What google-auth-library sends authorised requests with (GoogleAuth, OAuth2Client). */
export interface AuthorizedClient {
  request<T>(options: gaxios.GaxiosOptions): Promise<gaxios.GaxiosResponse<T>>;
}

/** A google.longrunning.Operation as the REST surface returns it. */
interface Operation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string };
}

/** The key fields keyfleet sends on create (REST JSON names), including those the bundled proto lacks. */
export interface CreateKeyBody {
  displayName: string;
  restrictions: object;
  serviceAccountEmail: string;
}

// Polls of an operation: quick at first (Google's key operations finish within a second or two).
const POLL_DELAYS_MS = [100, 250, 500, 1000, 2000];
const MAX_POLLS = 60;

const FAILURE_OF_HTTP: Record<number, IssuerFailure> = {
  401: 'unauthenticated',
  403: 'unauthenticated',
  404: 'not_found',
  409: 'already_exists',
  429: 'unavailable',
  500: 'unavailable',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

// google.rpc.Code of a failed operation.
const FAILURE_OF_RPC: Record<number, IssuerFailure> = {
  5: 'not_found',
  6: 'already_exists',
  14: 'unavailable',
};

/**
 * The API Keys API v2 over its REST surface with google-auth-library's authorised client, for what
 * @google-cloud/apikeys 3.1.0 cannot send: its proto has no `serviceAccountEmail`, so a key created
 * through it is a standard key, which Gemini refuses since 2026.
 */
export class ApiKeysRest {
  constructor(
    private readonly baseUrl: string,
    private readonly auth: AuthorizedClient,
  ) {}

  /** keys.create, then polls its operation until done; a failure is an IssuerError. */
  async createKey(parent: string, keyId: string, key: CreateKeyBody): Promise<void> {
    const operation = await this.call<Operation>(`create ${parent}/keys/${keyId}`, {
      url: `${this.baseUrl}/v2/${parent}/keys`,
      method: 'POST',
      params: { keyId },
      data: key,
    });
    await this.wait(operation);
  }

  private async wait(operation: Operation): Promise<void> {
    let current = operation;
    for (let poll = 0; !current.done; poll++) {
      if (poll >= MAX_POLLS)
        throw new IssuerError('unavailable', `${current.name}: not done after ${poll} polls`);
      await sleep(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)]);
      current = await this.call<Operation>(`poll ${current.name}`, {
        url: `${this.baseUrl}/v2/${current.name}`,
        method: 'GET',
      });
    }
    if (current.error) {
      const failure = FAILURE_OF_RPC[current.error.code ?? -1] ?? 'other';
      throw new IssuerError(failure, `${current.name}: ${(current.error.message ?? '').slice(0, 200)}`);
    }
  }

  private async call<T>(action: string, options: gaxios.GaxiosOptions): Promise<T> {
    try {
      const response = await this.auth.request<T>({ ...options, responseType: 'json', retry: false });
      return response.data;
    } catch (error) {
      throw restFailure(error, action);
    }
  }
}

/** A gaxios failure as an IssuerError: by HTTP status, or `unavailable` when nothing was answered. */
function restFailure(error: unknown, action: string): IssuerError {
  const status = (error as { response?: { status?: unknown } }).response?.status;
  const body = (error as { response?: { data?: { error?: { message?: unknown } } } }).response?.data;
  const detail = typeof body?.error?.message === 'string' ? body.error.message : (error as Error).message;
  const failure: IssuerFailure =
    typeof status === 'number' ? (FAILURE_OF_HTTP[status] ?? 'other') : 'unavailable';
  return new IssuerError(failure, `${action}: ${String(detail).slice(0, 200)}`);
}
