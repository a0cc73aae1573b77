/** Why an issuer call failed, as far as a caller needs to know. */
export type IssuerFailure = 'not_found' | 'already_exists' | 'unauthenticated' | 'unavailable' | 'other';

// gRPC status codes (google.rpc.Code), which the REST transport maps HTTP statuses to.
const FAILURE_OF_CODE: Record<number, IssuerFailure> = {
  5: 'not_found',
  6: 'already_exists',
  16: 'unauthenticated',
  7: 'unauthenticated',
  14: 'unavailable',
  4: 'unavailable',
  13: 'unavailable',
};

/** A failed call to the API Keys API. The message never holds a key string. */
export class IssuerError extends Error {
  override readonly name = 'IssuerError';
  constructor(
    readonly failure: IssuerFailure,
    message: string,
  ) {
    super(message);
  }

  /** Wraps whatever the client threw, keeping only its status and message. */
  static from(error: unknown, action: string): IssuerError {
    if (error instanceof IssuerError) return error;
    const code = (error as { code?: unknown }).code;
    const failure = typeof code === 'number' ? (FAILURE_OF_CODE[code] ?? 'other') : 'unavailable';
    const message = error instanceof Error ? error.message : String(error);
    return new IssuerError(failure, `${action}: ${message.slice(0, 200)}`);
  }
}
