import { z } from 'zod';
import { KeyfleetError } from '@keyfleet/errors';

/** `allowedIps[1]`, `limits.gemini-2.5-flash.rpm`; `body` for the whole input. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text || 'body';
}

function describeIssue(issue: z.core.$ZodIssue, root: PropertyKey[]): string[] {
  const path = [...root, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatIssuePath([...path, key])}: unknown field`);
  }
  if (issue.code === 'invalid_key') {
    return [`${formatIssuePath(path)}: ${issue.issues[0]?.message ?? issue.message}`];
  }
  return [`${formatIssuePath(path)}: ${issue.message}`];
}

/**
 * One line per problem, each naming its field (under `root`, e.g. a path parameter's name).
 * Our schemas' messages never echo a secret input value.
 */
export function formatZodError(error: z.ZodError, root?: string): string {
  return error.issues.flatMap((issue) => describeIssue(issue, root ? [root] : [])).join('; ');
}

/** Parses input or throws 400 INVALID_ARGUMENT whose message names each offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw KeyfleetError.invalid(formatZodError(result.error, root));
  return result.data;
}
