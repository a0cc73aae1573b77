import { setTimeout as sleep } from 'node:timers/promises';
import { SingleBar } from 'cli-progress';
import { answer, connect, type GlobalOptions } from '../connection';
import { CliError, ExitCode } from '../exit-codes';
import { countsLine, progressOf, type BatchSnapshot } from './batch-progress';

export interface WatchOptions extends GlobalOptions {
  interval: string;
}

const FINAL = new Set(['completed', 'cancelled']);

/**
 * Follows a batch until every item is final: a progress bar with counts, rate and ETA on a terminal, one
 * line per change otherwise, one JSON status a line with --json. Exit 0 when every item succeeded,
 * 7 when some failed or were cancelled.
 */
export async function watch(batchId: string, options: WatchOptions): Promise<void> {
  const everyMs = Number(options.interval);
  if (!Number.isInteger(everyMs) || everyMs < 100)
    throw new CliError(ExitCode.Usage, '--interval: at least 100 ms');
  const { api } = connect(options, 'client');
  const read = () => answer(api.GET('/v1/batches/{id}', { params: { path: { id: batchId } } }));
  const startedAt = Date.now();
  const first: BatchSnapshot = await read();
  const view = options.json ? new JsonLines() : new ProgressBar(first.counts.total);
  let latest = first;
  for (;;) {
    view.show(latest, countsLine(latest, progressOf(first, latest, Date.now() - startedAt)));
    if (FINAL.has(latest.status)) break;
    await sleep(everyMs);
    latest = await read();
  }
  view.stop();
  const { failed, cancelled } = latest.counts;
  if (failed + cancelled > 0)
    throw new CliError(
      ExitCode.BatchIncomplete,
      `batch ${latest.status}: ${failed} failed, ${cancelled} cancelled`,
    );
}

class JsonLines {
  show(snapshot: BatchSnapshot): void {
    process.stdout.write(`${JSON.stringify(snapshot)}\n`);
  }

  stop(): void {}
}

const BAR = { complete: '█', incomplete: '░', size: 40 };

/** cli-progress' bar, redrawn in place on a terminal; elsewhere (a log, a pipe) a line whenever the counts change. */
class ProgressBar {
  private readonly tty = process.stdout.isTTY === true;
  private bar: SingleBar | undefined;
  private last = '';

  constructor(private readonly total: number) {}

  show(snapshot: BatchSnapshot, line: string): void {
    const c = snapshot.counts;
    const done = c.succeeded + c.failed + c.cancelled;
    if (!this.tty) {
      if (line !== this.last)
        process.stdout.write(`${drawBar(done, this.total)} | ${snapshot.status} | ${line}\n`);
      this.last = line;
      return;
    }
    if (!this.bar) {
      this.bar = new SingleBar({
        format: '{bar} {percentage}% | {status} | {line}',
        barCompleteChar: BAR.complete,
        barIncompleteChar: BAR.incomplete,
        barsize: BAR.size,
        hideCursor: true,
        stream: process.stdout,
      });
      this.bar.start(this.total, done, { status: snapshot.status, line });
    }
    this.bar.update(done, { status: snapshot.status, line });
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** The same bar as on a terminal, as text. */
function drawBar(done: number, total: number): string {
  const share = total > 0 ? done / total : 1;
  const filled = Math.round(share * BAR.size);
  return `${BAR.complete.repeat(filled)}${BAR.incomplete.repeat(BAR.size - filled)} ${Math.floor(share * 100)}%`;
}
