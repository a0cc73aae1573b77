import { ErrorCode, HTTP_STATUS_OF } from './error-code';

/** The JSON error body keyfleet answers with: Gemini's own shape. */
export interface ErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/** A typed error that knows its HTTP status; thrown anywhere, rendered by the exception filter. */
export class KeyfleetError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'KeyfleetError';
  }

  get httpStatus(): number {
    return HTTP_STATUS_OF[this.code];
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.httpStatus, message: this.message, status: this.code };
    if (this.details) error.details = this.details;
    return { error };
  }

  static invalid(message: string): KeyfleetError {
    return new KeyfleetError(ErrorCode.InvalidArgument, message);
  }

  static notFound(message: string): KeyfleetError {
    return new KeyfleetError(ErrorCode.NotFound, message);
  }

  static tooLarge(message: string): KeyfleetError {
    return new KeyfleetError(ErrorCode.PayloadTooLarge, message);
  }
}
