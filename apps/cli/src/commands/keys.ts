import { readFile } from 'node:fs/promises';
import { answer, connect, type GlobalOptions } from '../connection';
import { CliError, ExitCode } from '../exit-codes';
import { emit, table } from '../output';

export interface ListKeysOptions extends GlobalOptions {
  due?: string;
  project?: string;
  status?: 'active' | 'retiring' | 'disabled' | 'revoked';
}

/** Upstream keys (never their secrets); `--due N`: due for rotation within N days, overdue ones included. */
export async function listKeys(options: ListKeysOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  if (options.due !== undefined && !/^\d+$/.test(options.due))
    throw new CliError(ExitCode.Usage, '--due: a whole number of days');
  const { projects } = await answer(api.GET('/admin/v1/projects'));
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const projectId = options.project
    ? (projects.find((p) => p.name === options.project || p.id === options.project)?.id ??
      fail(`--project: no project named or numbered "${options.project}"`))
    : undefined;
  const query = {
    due: options.due === undefined ? undefined : Number(options.due),
    projectId,
    status: options.status,
  };
  const { keys } = await answer(api.GET('/admin/v1/keys', { params: { query } }));
  emit(options.json, keys, () =>
    table(
      ['id', 'project', 'key', 'status', 'rotation due', ''],
      keys.map((k) => [
        k.id,
        names.get(k.projectId) ?? k.projectId,
        `…${k.lastFour}`,
        k.status,
        k.rotationDueAt.slice(0, 10),
        k.overdue ? 'OVERDUE' : '',
      ]),
    ),
  );
}

export interface RotateKeyOptions extends GlobalOptions {
  secretFile?: string;
}

/**
 * Rotates a key now. A `manual` project needs the replacement: `--secret-file FILE` (`-` for stdin), never
 * on the command line, where other users could read it.
 */
export async function rotateKey(keyId: string, options: RotateKeyOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  const secret = options.secretFile ? await readSecret(options.secretFile) : undefined;
  const result = await answer(
    api.POST('/admin/v1/keys/{id}/rotate', {
      params: { path: { id: keyId } },
      body: secret ? { secret } : {},
    }),
  );
  emit(options.json, result, () =>
    result.newKey
      ? `key …${result.oldKey.lastFour} replaced by …${result.newKey.lastFour} (${result.newKey.id})`
      : `rotation of key …${result.oldKey.lastFour} requested: the rotator issues the new key (${result.rotation?.id ?? ''})`,
  );
}

async function readSecret(file: string): Promise<string> {
  const text =
    file === '-'
      ? await readStdin()
      : await readFile(file, 'utf8').catch(() => fail(`${file}: no such file`));
  return text.trim();
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message: string): never {
  throw new CliError(ExitCode.Usage, message);
}
