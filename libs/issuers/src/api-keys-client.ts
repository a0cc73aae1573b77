import { ApiKeysClient } from '@google-cloud/apikeys';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import type { KeyfleetConfig } from '@keyfleet/config';
import { ApiKeysRest } from './api-keys-rest';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The two ways in to the API Keys API, sharing one set of credentials. */
export interface ApiKeysClients {
  /** The official client: get, keyString, update, delete. */
  library: ApiKeysClient;
  /** The REST surface, for create: the library's proto has no `serviceAccountEmail`. */
  rest: ApiKeysRest;
}

/**
 * The official API Keys client over its REST transport (`fallback: true`), which, unlike gRPC, can
 * talk plain HTTP to GOOGLE_APIKEYS_BASE_URL (the simulator in tests), and google-auth-library's
 * authorised client for the REST calls it cannot make. Credentials: a static GOOGLE_OAUTH_ACCESS_TOKEN
 * if set, else Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS; an `external_account`
 * file's `token_url` is honoured).
 */
export function createApiKeysClient(
  config: Pick<KeyfleetConfig, 'apiKeysBaseUrl' | 'googleAccessToken' | 'googleCredentialsFile'>,
): ApiKeysClients {
  const url = new URL(config.apiKeysBaseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const endpoint = {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (protocol === 'http' ? 80 : 443)),
    protocol,
  };
  const baseUrl = config.apiKeysBaseUrl.replace(/\/+$/, '');
  if (config.googleAccessToken) {
    const authClient = new OAuth2Client();
    // No expiry: the library then never tries to refresh a token it cannot refresh.
    authClient.setCredentials({ access_token: config.googleAccessToken });
    return {
      library: new ApiKeysClient({ ...endpoint, authClient }),
      rest: new ApiKeysRest(baseUrl, authClient),
    };
  }
  const auth = new GoogleAuth({
    keyFilename: config.googleCredentialsFile,
    scopes: [CLOUD_PLATFORM_SCOPE],
  });
  return { library: new ApiKeysClient({ ...endpoint, auth }), rest: new ApiKeysRest(baseUrl, auth) };
}
