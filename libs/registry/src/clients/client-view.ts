import type { ClientBudget, ClientEntity, ClientKeyEntity } from '@keyfleet/persistence';

/** A client key as shown: never the key, never its hash. */
export interface ClientKeyView {
  id: string;
  lastFour: string;
  createdAt: string;
  /** null: valid until rotated or revoked. */
  expiresAt: string | null;
}

export interface ClientView {
  id: string;
  name: string;
  allowedIps: string[];
  /** Share of the pool against other backlogged clients, per model. */
  weight: number;
  /** Spend limits per UTC day and month (null: none). */
  budget: ClientBudget | null;
  /** The keys that work now (several during a rotation overlap). */
  keys: ClientKeyView[];
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** A client and its new raw key: the only time the key is ever shown. */
export interface IssuedClientKey {
  client: ClientView;
  key: string;
}

/** What ClientAuthGuard attaches to a request. */
export interface AuthenticatedClient {
  clientId: string;
  name: string;
  allowedIps: string[];
  /** The client's spend limits (null or absent: none). */
  budget?: ClientBudget | null;
  /** When the presented key stops working (a rotation's overlap), or null; lets callers cache exactly. */
  keyExpiresAt: Date | null;
}

export function isKeyValid(key: ClientKeyEntity, now: Date): boolean {
  return !key.revokedAt && (!key.expiresAt || key.expiresAt.getTime() > now.getTime());
}

export function toClientView(
  client: ClientEntity,
  keys: readonly ClientKeyEntity[],
  now = new Date(),
): ClientView {
  return {
    id: client.id,
    name: client.name,
    allowedIps: client.allowedIps,
    weight: client.weight,
    budget: client.budget ?? null,
    keys: keys
      .filter((key) => isKeyValid(key, now))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((key) => ({
        id: key.id,
        lastFour: key.lastFour,
        createdAt: key.createdAt.toISOString(),
        expiresAt: key.expiresAt?.toISOString() ?? null,
      })),
    createdAt: client.createdAt.toISOString(),
    updatedAt: client.updatedAt.toISOString(),
    deletedAt: client.deletedAt?.toISOString() ?? null,
  };
}
