import { ApiKeysClient } from '@google-cloud/apikeys';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import type { KeyfleetConfig } from '@keyfleet/config';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The official API Keys client over its REST transport (`fallback: true`), which, unlike gRPC, can
 * talk plain HTTP to GOOGLE_APIKEYS_BASE_URL (the simulator in tests). Credentials: a static
 * GOOGLE_OAUTH_ACCESS_TOKEN if set, else Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS;
 * an `external_account` file's `token_url` is honoured).
 */
export function createApiKeysClient(
  config: Pick<KeyfleetConfig, 'apiKeysBaseUrl' | 'googleAccessToken' | 'googleCredentialsFile'>,
): ApiKeysClient {
  const url = new URL(config.apiKeysBaseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const endpoint = {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (protocol === 'http' ? 80 : 443)),
    protocol,
  };
  if (config.googleAccessToken) {
    const authClient = new OAuth2Client();
    // No expiry: the library then never tries to refresh a token it cannot refresh.
    authClient.setCredentials({ access_token: config.googleAccessToken });
    return new ApiKeysClient({ ...endpoint, authClient });
  }
  const auth = new GoogleAuth({
    keyFilename: config.googleCredentialsFile,
    scopes: [CLOUD_PLATFORM_SCOPE],
  });
  return new ApiKeysClient({ ...endpoint, auth });
}
