import Table from 'cli-table3';

/** Writes one result: JSON with --json, else the human text. */
export function emit(json: boolean | undefined, value: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value) : human()}\n`);
}

/** A plain table for humans (no colours, so it reads the same in a pipe). */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const out = new Table({ head, style: { head: [], border: [] } });
  out.push(...rows.map((row) => row.map(String)));
  return out.toString();
}

/** A progress line for status on stderr, so stdout stays the result. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
