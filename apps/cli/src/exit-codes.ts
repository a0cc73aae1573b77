/** What a script can rely on: every way the CLI ends has its own exit code. */
export const ExitCode = {
  Ok: 0,
  /** Anything unexpected (a bug, a broken answer). */
  Failure: 1,
  /** Wrong command line: unknown command or option, missing argument, no URL or key. */
  Usage: 2,
  /** The key or admin token was refused (401), or used from outside its allowlist (403). */
  Auth: 3,
  /** No such batch, project or key (404). */
  NotFound: 4,
  /** keyfleet refused the input (400, 409, 413): the message names the field or line. */
  Invalid: 5,
  /** keyfleet could not be reached, or answered 429 or 5xx: try again later. */
  Unavailable: 6,
  /** `watch`: the batch ended with failed or cancelled items (the others succeeded). */
  BatchIncomplete: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI prints as one line and exits with. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code of an HTTP error status. */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.Auth;
  if (status === 404) return ExitCode.NotFound;
  if (status === 400 || status === 409 || status === 413 || status === 422) return ExitCode.Invalid;
  if (status === 429 || status >= 500) return ExitCode.Unavailable;
  return ExitCode.Failure;
}
