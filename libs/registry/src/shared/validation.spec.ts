import { z } from 'zod';
import { KeyfleetError } from '@keyfleet/errors';
import { formatIssuePath, parseOrThrow } from './validation';

describe('validation helpers', () => {
  it('formats issue paths with dots and indexes', () => {
    expect(formatIssuePath(['allowedIps', 1])).toBe('allowedIps[1]');
    expect(formatIssuePath(['limits', 'gemini-2.5-flash', 'rpm'])).toBe('limits.gemini-2.5-flash.rpm');
    expect(formatIssuePath([])).toBe('body');
  });

  it('throws 400 INVALID_ARGUMENT naming every bad or unknown field', () => {
    const schema = z.strictObject({ name: z.string({ error: 'expected a string' }), n: z.number() });
    let caught: unknown;
    try {
      parseOrThrow(schema, { n: 1, extra: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyfleetError);
    expect((caught as KeyfleetError).httpStatus).toBe(400);
    expect((caught as KeyfleetError).message).toBe('name: expected a string; extra: unknown field');
  });

  it('returns the parsed value', () => {
    expect(parseOrThrow(z.object({ a: z.coerce.number() }), { a: '2' })).toEqual({ a: 2 });
  });
});

describe('parseOrThrow with a root name', () => {
  it('names a path parameter', () => {
    expect(() =>
      parseOrThrow(z.string().regex(/^a+$/, { error: 'expected a model name' }), 'B', 'model'),
    ).toThrow('model: expected a model name');
  });
});
