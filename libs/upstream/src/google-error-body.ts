/** Google's JSON error, as the REST API and `@google/genai`'s ApiError message carry it. */
export interface GoogleErrorBody {
  code?: number;
  message: string;
  status?: string;
  details: Array<Record<string, unknown>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads `{"error":{…}}`, the OpenAI-compatible `[{"error":{…}}]`, or either as a JSON string
 * (the SDK's ApiError message is the body, stringified). Returns null for anything else.
 */
export function parseGoogleErrorBody(input: unknown): GoogleErrorBody | null {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (Array.isArray(value)) value = value.find((entry) => isObject(entry) && 'error' in entry);
  if (!isObject(value) || !isObject(value['error'])) return null;
  const error = value['error'];
  return {
    code: typeof error['code'] === 'number' ? error['code'] : undefined,
    message: typeof error['message'] === 'string' ? error['message'] : '',
    status: typeof error['status'] === 'string' ? error['status'] : undefined,
    details: Array.isArray(error['details']) ? error['details'].filter(isObject) : [],
  };
}

/** The details of one protobuf type (`type.googleapis.com/google.rpc.<name>`), in whatever order they came. */
export function detailsOfType(body: GoogleErrorBody, name: string): Array<Record<string, unknown>> {
  return body.details.filter((detail) => {
    const type = detail['@type'];
    return typeof type === 'string' && type.endsWith(`google.rpc.${name}`);
  });
}
