import { KeyfleetError } from '@keyfleet/errors';
import { parseJsonBatch } from './parse-batch';

const limits = { maxBatchItems: 5 };
const entry = { key: 'a', request: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] } };

function messageOf(body: unknown): string {
  try {
    parseJsonBatch(body, limits);
  } catch (error) {
    if (error instanceof KeyfleetError && error.httpStatus === 400) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('batch submission body (top level, zod)', () => {
  it('refuses an unknown top-level field and names it, like the admin routes', () => {
    expect(messageOf({ model: 'gemini-2.5-flash', requests: [entry], modle: 'x' })).toBe(
      'modle: unknown field',
    );
    expect(messageOf({ model: 'gemini-2.5-flash', requests: [entry], callback: 1, tags: [] })).toBe(
      'callback: unknown field; tags: unknown field',
    );
  });

  it('names every bad top-level field at once, and still names a bad entry by its index', () => {
    expect(messageOf({ model: '', displayName: 3, requests: {} })).toBe(
      'model: is required; displayName: must be a string; requests: must be an array of {"key", "request"}',
    );
    expect(messageOf({ model: 'gemini-2.5-flash', requests: [entry, { ...entry, key: 7 }] })).toBe(
      'requests[1].key: must be a non-empty string',
    );
  });

  it('accepts models/ names, a null displayName and a null priority', () => {
    const parsed = parseJsonBatch(
      { model: 'models/gemini-2.5-flash', displayName: null, priority: null, requests: [entry] },
      limits,
    );
    expect(parsed).toMatchObject({ model: 'gemini-2.5-flash', displayName: null, priority: 0 });
  });
});
