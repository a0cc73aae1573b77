/** Every error keyfleet answers with, and the Google RPC status + HTTP status each maps to. */
export enum ErrorCode {
  InvalidArgument = 'INVALID_ARGUMENT',
  Unauthenticated = 'UNAUTHENTICATED',
  PermissionDenied = 'PERMISSION_DENIED',
  NotFound = 'NOT_FOUND',
  AlreadyExists = 'ALREADY_EXISTS',
  FailedPrecondition = 'FAILED_PRECONDITION',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  ResourceExhausted = 'RESOURCE_EXHAUSTED',
  Internal = 'INTERNAL',
  Unavailable = 'UNAVAILABLE',
  DeadlineExceeded = 'DEADLINE_EXCEEDED',
}

export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.PermissionDenied]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.FailedPrecondition]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.ResourceExhausted]: 429,
  [ErrorCode.Internal]: 500,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.DeadlineExceeded]: 504,
};
