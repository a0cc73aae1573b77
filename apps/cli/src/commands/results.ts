import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, httpError, unreachable, type GlobalOptions } from '../connection';

/** Writes the batch's results to stdout as keyfleet streams them: NDJSON, one line per finished item. */
export async function results(batchId: string, options: GlobalOptions): Promise<void> {
  const { api } = connect(options, 'client');
  let answer;
  try {
    answer = await api.GET('/v1/batches/{id}/results', {
      params: { path: { id: batchId } },
      parseAs: 'stream',
    });
  } catch (error) {
    throw unreachable(error);
  }
  if (!answer.response.ok || !answer.data) throw httpError(answer.response.status, answer.error);
  await pipeline(Readable.fromWeb(answer.data), process.stdout);
}
