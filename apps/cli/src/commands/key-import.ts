import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { answer, connect, type GlobalOptions, type KeyfleetApi } from '../connection';
import { CliError, ExitCode } from '../exit-codes';
import { emit, table } from '../output';

export interface ImportedKey {
  line: number;
  project: string;
  keyId: string;
  lastFour: string;
}
export interface RefusedLine {
  line: number;
  message: string;
}

/** One CSV line: its number in the file, the project (name or id) and the secret. */
interface KeyLine {
  line: number;
  project: string;
  secret: string;
}

/**
 * `keys import FILE.csv` (columns `project,secret`; the project by name or id): each line is checked and
 * added on its own, then a report of what was added and what was refused and why (secrets are never shown).
 * Exit 0 when every line was added, 5 when some were refused.
 */
export async function importKeys(file: string, options: GlobalOptions): Promise<void> {
  const lines = parseKeyLines(
    await readFile(file, 'utf8').catch(() => {
      throw new CliError(ExitCode.Usage, `${file}: no such file`);
    }),
  );
  const { api } = connect(options, 'admin');
  const projectIds = await projectIdsByName(api);
  const added: ImportedKey[] = [];
  const refused: RefusedLine[] = [];
  for (const line of lines) {
    const projectId = projectIds.get(line.project);
    if (!projectId) {
      refused.push({ line: line.line, message: `project: no project named or numbered "${line.project}"` });
      continue;
    }
    try {
      const key = await answer(
        api.POST('/admin/v1/projects/{id}/keys', {
          params: { path: { id: projectId } },
          body: { secret: line.secret },
        }),
      );
      added.push({ line: line.line, project: line.project, keyId: key.id, lastFour: key.lastFour });
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.Invalid) throw error;
      refused.push({ line: line.line, message: error.message });
    }
  }
  emit(options.json, { added, refused }, () => report(added, refused));
  if (refused.length > 0)
    throw new CliError(ExitCode.Invalid, `${refused.length} of ${lines.length} lines refused`);
}

/** The CSV's data lines (a `project,secret` header is skipped), numbered as in the file. */
export function parseKeyLines(text: string): KeyLine[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (error) {
    throw new CliError(ExitCode.Invalid, `not a CSV file: ${(error as Error).message}`);
  }
  const rows = records.filter(({ record }, i) => !(i === 0 && record[0]?.toLowerCase() === 'project'));
  return rows.map(({ record, info }) => {
    if (record.length !== 2 || !record[0] || !record[1])
      return { line: info.lines, project: record[0] ?? '', secret: '' };
    return { line: info.lines, project: record[0], secret: record[1] };
  });
}

async function projectIdsByName(api: KeyfleetApi): Promise<Map<string, string>> {
  const { projects } = await answer(api.GET('/admin/v1/projects'));
  return new Map(projects.flatMap((p) => [[p.name, p.id] as const, [p.id, p.id] as const]));
}

function report(added: ImportedKey[], refused: RefusedLine[]): string {
  const rows = [
    ...added.map((a) => [a.line, a.project, `added …${a.lastFour} (${a.keyId})`] as Array<string | number>),
    ...refused.map((r) => [r.line, '', `refused: ${r.message}`] as Array<string | number>),
  ].sort((a, b) => Number(a[0]) - Number(b[0]));
  return `${table(['line', 'project', 'result'], rows)}\n${added.length} added, ${refused.length} refused`;
}
