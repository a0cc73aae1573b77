// Test helpers for the simulator's API Keys API: credentials that exchange through its STS endpoint,
// and its test admin routes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A key as GET /sim/apikeys shows it (with its key string: test-only). */
export interface SimApiKey {
  name: string;
  displayName: string;
  keyString: string;
  deleteTime?: string;
  /** Set on auth keys (`AQ.…`), which are bound to a service account. */
  serviceAccountEmail?: string;
  restrictions: {
    apiTargets?: Array<{ service: string }>;
    serverKeyRestrictions?: { allowedIps?: string[] };
  };
}

export interface SimApiKeysSnapshot {
  keys: SimApiKey[];
  counts: { creates: number; deletes: number; patches: number };
  /** Token exchanges STS answered. */
  exchanges: number;
}

/**
 * Writes an `external_account` (workload identity federation) credentials file whose `token_url` is the
 * simulator's STS endpoint; google-auth-library honours it. Returns its path (for GOOGLE_APPLICATION_CREDENTIALS).
 */
export function writeExternalAccountFile(simUrl: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-creds-'));
  const subjectToken = path.join(dir, 'subject-token');
  writeFileSync(subjectToken, 'a-workload-identity-subject-token');
  const file = path.join(dir, 'external-account.json');
  const credentials = {
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/kf/providers/sim',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${simUrl}/sts/v1/token`,
    credential_source: { file: subjectToken },
  };
  writeFileSync(file, JSON.stringify(credentials));
  return file;
}

async function simCall(simUrl: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${simUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`gemini-sim ${method} ${route} → ${response.status}`);
  return response.json();
}

/** The simulator's API Keys API admin routes. */
export function simApiKeys(simUrl: string) {
  return {
    snapshot: async () => (await simCall(simUrl, 'GET', '/sim/apikeys')) as SimApiKeysSnapshot,
    setFaults: async (faults: { failCreates?: number; operationPolls?: number }) =>
      void (await simCall(simUrl, 'PUT', '/sim/apikeys/faults', faults)),
    allowToken: async (token: string) =>
      void (await simCall(simUrl, 'POST', '/sim/apikeys/tokens', { token })),
  };
}
