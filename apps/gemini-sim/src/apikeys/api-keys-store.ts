// The API Keys API's state: key resources and long-running operations, kept in step with the
// simulator's key index so that the generate endpoints honour what this API did.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SimState } from '../sim-state';
import {
  enforcementOf,
  KEY_TYPE_URL,
  type ApiKeyResource,
  type KeyRestrictions,
  type Operation,
  type StoredApiKey,
} from './api-key-resource';

/** A request the API refuses; the routes turn it into Google's error body. */
export class ApiKeysError extends Error {
  override readonly name = 'ApiKeysError';
  constructor(
    readonly code: 400 | 404 | 409 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiKeysFaults {
  /** The next N createKey calls answer 503 UNAVAILABLE (nothing is created). */
  failCreates: number;
  /** GETs an operation needs before it is done (default 1: clients must poll once). */
  operationPolls: number;
}

export interface ApiKeysCounts {
  creates: number;
  deletes: number;
  patches: number;
}

// Google's key ids: 1–63 lower-case letters, digits and hyphens, starting with a letter.
const KEY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A standard key (`AIza…`), or an auth key (`AQ.…`) when the key is bound to a service account. */
function newKeyString(boundToServiceAccount: boolean): string {
  if (boundToServiceAccount) return `AQ.Ab8RN6${randomBytes(40).toString('base64url').slice(0, 46)}`;
  return `AIzaSy${randomBytes(25).toString('base64url').slice(0, 33)}`;
}

export class ApiKeysStore {
  private readonly keys = new Map<string, StoredApiKey>();
  private readonly operations = new Map<string, Operation>();
  readonly counts: ApiKeysCounts = { creates: 0, deletes: 0, patches: 0 };
  faults: ApiKeysFaults = { failCreates: 0, operationPolls: 1 };

  constructor(
    private readonly state: SimState,
    private readonly now: () => number,
  ) {}

  create(projectId: string, keyId: string, input: Partial<ApiKeyResource>): OperationView {
    if (!KEY_ID.test(keyId)) throw new ApiKeysError(400, `Invalid key id "${keyId}".`);
    if (!this.state.config.projects.some((p) => p.id === projectId))
      throw new ApiKeysError(404, `Project ${projectId} not found.`);
    const name = `projects/${projectId}/locations/global/keys/${keyId}`;
    if (this.keys.has(name)) throw new ApiKeysError(409, `Key ${name} already exists.`);
    if (this.faults.failCreates > 0) {
      this.faults.failCreates--;
      throw new ApiKeysError(503, 'The service is currently unavailable.');
    }
    const time = new Date(this.now()).toISOString();
    const restrictions = input.restrictions ?? {};
    const stored: StoredApiKey = {
      keyString: newKeyString(Boolean(input.serviceAccountEmail)),
      projectId,
      resource: {
        name,
        uid: randomUUID(),
        displayName: input.displayName ?? '',
        createTime: time,
        updateTime: time,
        restrictions,
        etag: '',
        ...(input.serviceAccountEmail ? { serviceAccountEmail: input.serviceAccountEmail } : {}),
      },
    };
    stored.resource.etag = etagOf(stored.resource);
    this.state.addKey(
      { projectId, key: stored.keyString, status: 'active', allowedIps: [] },
      // Wall-clock, as key-auth reads it: a new key may answer 401 for a while (keyPolicy.keyPropagationMs).
      { workingFrom: Date.now() + this.state.config.keyPolicy.keyPropagationMs, apiTargets: false },
    );
    this.keys.set(name, stored);
    this.enforce(stored);
    this.counts.creates++;
    return this.operation({ ...stored.resource, keyString: stored.keyString });
  }

  get(name: string): ApiKeyResource {
    return this.require(name).resource;
  }

  keyString(name: string): string {
    const stored = this.require(name);
    if (stored.resource.deleteTime) throw new ApiKeysError(404, `Key ${name} not found.`);
    return stored.keyString;
  }

  list(projectId: string): ApiKeyResource[] {
    return [...this.keys.values()]
      .filter((stored) => stored.projectId === projectId && !stored.resource.deleteTime)
      .map((stored) => stored.resource);
  }

  /** PATCH with updateMask=restrictions (the only mask keyfleet uses; displayName is accepted too). */
  update(name: string, patch: Partial<ApiKeyResource>, mask: string[]): OperationView {
    const stored = this.require(name);
    if (stored.resource.deleteTime) throw new ApiKeysError(404, `Key ${name} not found.`);
    if (mask.includes('restrictions')) stored.resource.restrictions = patch.restrictions ?? {};
    if (mask.includes('displayName')) stored.resource.displayName = patch.displayName ?? '';
    stored.resource.updateTime = new Date(this.now()).toISOString();
    stored.resource.etag = etagOf(stored.resource);
    this.enforce(stored);
    this.counts.patches++;
    return this.operation(stored.resource);
  }

  /** Soft delete, as Google does (undeletable for 30 days); the key string stops working at once. */
  delete(name: string): OperationView {
    const stored = this.require(name);
    if (stored.resource.deleteTime) throw new ApiKeysError(404, `Key ${name} not found.`);
    stored.resource.deleteTime = new Date(this.now()).toISOString();
    if (this.state.findKey(stored.keyString)) this.state.deleteKey(stored.keyString);
    this.counts.deletes++;
    return this.operation(stored.resource);
  }

  /** Polls an operation: done after `operationPolls` GETs. */
  pollOperation(name: string): Omit<Operation, 'pollsLeft'> {
    const operation = this.operations.get(name);
    if (!operation) throw new ApiKeysError(404, `Operation ${name} not found.`);
    if (operation.pollsLeft > 0) operation.pollsLeft--;
    operation.done = operation.pollsLeft === 0;
    return operation.done ? { name, done: true, response: operation.response } : { name, done: false };
  }

  /** Everything, for tests (GET /sim/apikeys): resources with their key strings. */
  snapshot(): { keys: Array<ApiKeyResource & { keyString: string }>; counts: ApiKeysCounts } {
    const keys = [...this.keys.values()].map((stored) => ({
      ...stored.resource,
      keyString: stored.keyString,
    }));
    return { keys, counts: { ...this.counts } };
  }

  private operation(key: ApiKeyResource & { keyString?: string }): OperationView {
    const name = `operations/akmf.p7-${randomBytes(8).toString('hex')}`;
    const pollsLeft = this.faults.operationPolls;
    const operation: Operation = {
      name,
      done: pollsLeft === 0,
      pollsLeft,
      response: { '@type': KEY_TYPE_URL, ...key },
    };
    this.operations.set(name, operation);
    return viewOf(operation);
  }

  /** Makes the generate endpoints honour the key's restrictions. */
  private enforce(stored: StoredApiKey): void {
    const { allowedIps, serviceBlocked } = enforcementOf(stored.resource.restrictions);
    const entry = this.state.findKey(stored.keyString);
    if (!entry) return;
    if (entry.issued) entry.issued.apiTargets = (stored.resource.restrictions.apiTargets ?? []).length > 0;
    // Only the service restriction moves the status: a key a test marked leaked stays leaked.
    const current = entry.spec.status;
    const status = serviceBlocked ? 'service_blocked' : current === 'service_blocked' ? 'active' : current;
    this.state.patchKey(stored.keyString, { allowedIps, status });
  }

  private require(name: string): StoredApiKey {
    const stored = this.keys.get(name);
    if (!stored) throw new ApiKeysError(404, `Key ${name} not found.`);
    return stored;
  }
}

/** An operation as the API shows it: the response only once done. */
export type OperationView = Omit<Operation, 'pollsLeft'>;

function viewOf(operation: Operation): OperationView {
  const { name, done, response } = operation;
  return done ? { name, done, response } : { name, done };
}

function etagOf(resource: ApiKeyResource): string {
  const digest = createHash('sha256').update(JSON.stringify({ ...resource, etag: '' }));
  return `W/"${digest.digest('base64').slice(0, 24)}"`;
}

export type { KeyRestrictions };
