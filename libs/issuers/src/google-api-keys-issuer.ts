import type { ApiKeysClient, protos } from '@google-cloud/apikeys';
import type { ApiKeysClients } from './api-keys-client';
import type { ApiKeysRest } from './api-keys-rest';
import { IssuerError } from './issuer-error';
import type { IssueRequest, IssuedKey, KeyIssuer, KeyRestrictions, UpstreamKeyState } from './key-issuer';

type ApiKey = protos.google.api.apikeys.v2.IKey;
type ApiRestrictions = protos.google.api.apikeys.v2.IRestrictions;

function toApiRestrictions(restrictions: KeyRestrictions): ApiRestrictions {
  return {
    apiTargets: restrictions.services.map((service) => ({ service })),
    ...(restrictions.allowedIps.length > 0
      ? { serverKeyRestrictions: { allowedIps: restrictions.allowedIps } }
      : {}),
  };
}

function fromApiRestrictions(restrictions: ApiRestrictions | null | undefined): KeyRestrictions {
  return {
    services: (restrictions?.apiTargets ?? []).map((target) => target.service ?? ''),
    allowedIps: [...(restrictions?.serverKeyRestrictions?.allowedIps ?? [])],
  };
}

function isDeleted(key: ApiKey): boolean {
  return Boolean(key.deleteTime && Number(key.deleteTime.seconds ?? 0) > 0);
}

/**
 * The `google-api-keys` issuer: Google Cloud's API Keys API v2. Keys are created over REST bound to the
 * project's service account (auth keys, `AQ.…`); the rest goes through @google-cloud/apikeys.
 */
export class GoogleApiKeysIssuer implements KeyIssuer {
  readonly kind = 'google-api-keys' as const;
  private readonly client: ApiKeysClient;
  private readonly rest: ApiKeysRest;

  constructor(clients: ApiKeysClients) {
    this.client = clients.library;
    this.rest = clients.rest;
  }

  async issue(request: IssueRequest): Promise<IssuedKey> {
    const parent = `projects/${request.gcpProjectId}/locations/global`;
    const name = `${parent}/keys/${request.keyId}`;
    try {
      await this.rest.createKey(parent, request.keyId, {
        displayName: request.displayName,
        restrictions: toApiRestrictions(request.restrictions),
        serviceAccountEmail: request.serviceAccountEmail,
      });
    } catch (error) {
      const failure = IssuerError.from(error, `create ${name}`);
      // An earlier attempt made it (and died before storing it): adopt that key, never make a second.
      if (failure.failure !== 'already_exists') throw failure;
      const existing = await this.find(name);
      if (!existing || existing.deleted) throw new IssuerError('other', `${name} exists but was deleted`);
    }
    return { name, keyString: await this.keyString(name) };
  }

  async find(name: string): Promise<UpstreamKeyState | null> {
    try {
      const [key] = await this.client.getKey({ name });
      return { name, deleted: isDeleted(key), restrictions: fromApiRestrictions(key.restrictions) };
    } catch (error) {
      const failure = IssuerError.from(error, `get ${name}`);
      if (failure.failure === 'not_found') return null;
      throw failure;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      const [operation] = await this.client.deleteKey({ name });
      await operation.promise();
    } catch (error) {
      const failure = IssuerError.from(error, `delete ${name}`);
      if (failure.failure !== 'not_found') throw failure;
    }
  }

  async applyRestrictions(name: string, restrictions: KeyRestrictions): Promise<void> {
    try {
      const [operation] = await this.client.updateKey({
        key: { name, restrictions: toApiRestrictions(restrictions) },
        updateMask: { paths: ['restrictions'] },
      });
      await operation.promise();
    } catch (error) {
      throw IssuerError.from(error, `update ${name}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async keyString(name: string): Promise<string> {
    try {
      const [answer] = await this.client.getKeyString({ name });
      if (!answer.keyString) throw new IssuerError('other', `${name}: empty keyString`);
      return answer.keyString;
    } catch (error) {
      throw IssuerError.from(error, `keyString of ${name}`);
    }
  }
}
