import { KeyfleetError } from '@keyfleet/errors';

/** Keyset position of the list (newest first): created_at with microseconds, then id. */
export interface ListPosition {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodePageToken(position: ListPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`).toString('base64url');
}

export function decodePageToken(token: string): ListPosition {
  const [createdAt, id, ...rest] = Buffer.from(token, 'base64url').toString().split('|');
  if (rest.length > 0 || !createdAt || !id || !UUID.test(id) || !TIMESTAMP.test(createdAt)) {
    throw KeyfleetError.invalid('pageToken: not a token this API returned');
  }
  return { createdAt, id };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
