import type { IssuerKind } from '@keyfleet/persistence';

/** The service every keyfleet key is restricted to. */
export const GEMINI_API_SERVICE = 'generativelanguage.googleapis.com';

/** What keyfleet wants a key to allow: the Gemini API, from these addresses (empty: any address). */
export interface KeyRestrictions {
  services: string[];
  allowedIps: string[];
}

export interface IssueRequest {
  /** The Google Cloud project id (the `projects/{p}` of the API Keys API). */
  gcpProjectId: string;
  /** The key id at the API Keys API, chosen up front so a retried create finds the key it made. */
  keyId: string;
  displayName: string;
  restrictions: KeyRestrictions;
  /** The service account the key is bound to: an auth key (`AQ.…`), the only kind Gemini takes since 2026. */
  serviceAccountEmail: string;
}

/** A key that exists upstream, with its secret. Never log `keyString`. */
export interface IssuedKey {
  /** `projects/{p}/locations/global/keys/{k}`. */
  name: string;
  keyString: string;
}

/** A key as the issuer sees it upstream (no secret). */
export interface UpstreamKeyState {
  name: string;
  deleted: boolean;
  restrictions: KeyRestrictions;
}

/** Makes, inspects and deletes a project's keys upstream. */
export interface KeyIssuer {
  readonly kind: IssuerKind;
  /** Creates key `keyId`, or returns it if an earlier (interrupted) attempt already made it. */
  issue(request: IssueRequest): Promise<IssuedKey>;
  /** The key, or null if it does not exist. */
  find(name: string): Promise<UpstreamKeyState | null>;
  /** Deletes the key upstream; a key already gone counts as deleted. */
  delete(name: string): Promise<void>;
  applyRestrictions(name: string, restrictions: KeyRestrictions): Promise<void>;
  close(): Promise<void>;
}
