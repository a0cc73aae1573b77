import { QueryFailedError } from 'typeorm';

/** Postgres 23505: a unique index refused the row (a duplicate name, fingerprint, …). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (!constraint || driverError.constraint === constraint);
}
