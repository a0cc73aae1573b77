// The API Keys API v2 resource shapes the simulator answers with (a subset of google.api.apikeys.v2).

export const GEMINI_API_TARGET = 'generativelanguage.googleapis.com';

export interface ApiTarget {
  service: string;
  methods?: string[];
}

export interface KeyRestrictions {
  apiTargets?: ApiTarget[];
  serverKeyRestrictions?: { allowedIps?: string[] };
}

/** A key as the API returns it (`keyString` only from GET …/keyString and the create operation). */
export interface ApiKeyResource {
  name: string;
  uid: string;
  displayName: string;
  createTime: string;
  updateTime: string;
  deleteTime?: string;
  restrictions: KeyRestrictions;
  etag: string;
  serviceAccountEmail?: string;
}

/** The simulator's record of a key: the resource, its secret and the sim project it belongs to. */
export interface StoredApiKey {
  resource: ApiKeyResource;
  keyString: string;
  projectId: string;
}

export interface Operation {
  name: string;
  done: boolean;
  response?: Record<string, unknown>;
  /** GETs still needed before the operation reports done (so clients must poll). */
  pollsLeft: number;
}

export const KEY_TYPE_URL = 'type.googleapis.com/google.api.apikeys.v2.Key';

/** What the generate endpoints should enforce for a key with these restrictions. */
export function enforcementOf(restrictions: KeyRestrictions): {
  allowedIps: string[];
  serviceBlocked: boolean;
} {
  const targets = restrictions.apiTargets ?? [];
  return {
    allowedIps: restrictions.serverKeyRestrictions?.allowedIps ?? [],
    serviceBlocked: targets.length > 0 && !targets.some((target) => target.service === GEMINI_API_TARGET),
  };
}
