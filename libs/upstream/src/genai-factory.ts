import { GoogleGenAI } from '@google/genai';

/**
 * A `@google/genai` client for one upstream key, configured only as its docs show (apiKey + baseUrl),
 * on `v1beta`, without SDK retries (retries are keyfleet's), calling through the given fetch.
 */
export function createGenAi(options: {
  secret: string;
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.secret,
    httpOptions: {
      baseUrl: options.baseUrl,
      apiVersion: 'v1beta',
      timeout: options.timeoutMs,
      // Our own fetch (node:http, see UpstreamFetch) also keeps the SDK from reaching into undici's
      // global dispatcher, which a Jest realm lacks.
      fetch: options.fetch,
    },
  });
}
