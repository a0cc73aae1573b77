import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { answer, connect, type GlobalOptions } from '../connection';
import { CliError, ExitCode } from '../exit-codes';
import { emit, note } from '../output';

export interface SubmitOptions extends GlobalOptions {
  model: string;
  displayName?: string;
  priority?: string;
  lane?: 'live' | 'economy' | 'auto';
  deadline?: string;
  idempotencyKey?: string;
}

/**
 * Streams an NDJSON file (one `{key, request}` a line) as the batch body: the file is never held in memory.
 * Prints the batch id (the batch with --json). A bad line is refused by keyfleet with its number.
 */
export async function submit(file: string, options: SubmitOptions): Promise<void> {
  const size = await stat(file).then(
    (info) => info.size,
    () => {
      throw new CliError(ExitCode.Usage, `${file}: no such file`);
    },
  );
  const { api } = connect(options, 'client');
  const body = Readable.toWeb(createReadStream(file)) as unknown as string;
  const batch = await answer(
    api.POST('/v1/batches', {
      params: {
        query: {
          model: options.model,
          displayName: options.displayName,
          priority: options.priority,
          lane: options.lane,
          deadline: options.deadline,
        },
        header: { 'idempotency-key': options.idempotencyKey },
      },
      body,
      bodySerializer: (stream: unknown) => stream,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': String(size) },
      duplex: 'half',
    }),
  );
  const lane = batch.laneReason
    ? `${batch.laneChosen} lane: ${batch.laneReason}`
    : `${batch.laneChosen} lane`;
  note(`submitted ${batch.counts.total} requests for ${batch.model} as batch ${batch.id} (${lane})`);
  emit(options.json, batch, () => batch.id);
}
