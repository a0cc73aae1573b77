// A job as Google shows it: a long-running Operation whose metadata is the GenerateContentBatch.
import { isActive, stateAt, type BatchJob, type ItemResult } from './batch-jobs';

const TYPE_PREFIX = 'type.googleapis.com/google.ai.generativelanguage.v1main.';

/** int64 counts are JSON strings and zero ones are left out, as proto3 JSON does. */
function counts(fields: Record<string, number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, value]) => value > 0)
      .map(([name, value]) => [name, String(value)]),
  );
}

function batchStats(job: BatchJob, now: number): Record<string, string> {
  const requestCount = job.items.length;
  const state = stateAt(job, now);
  const results = job.end?.results;
  if (results) {
    const failed = results.filter((result) => 'error' in result).length;
    return counts({
      requestCount,
      successfulRequestCount: requestCount - failed,
      failedRequestCount: failed,
    });
  }
  if (state === 'BATCH_STATE_FAILED') return counts({ requestCount, failedRequestCount: requestCount });
  return counts({ requestCount, pendingRequestCount: requestCount });
}

/** Inline results: `{response|error, metadata}` per request, in input order. */
function inlinedResponses(job: BatchJob, results: ItemResult[]): object[] {
  return results.map((result, index) => {
    const { metadata } = job.items[index];
    return metadata === undefined ? result : { ...result, metadata };
  });
}

function output(job: BatchJob): Record<string, unknown> | undefined {
  const end = job.end;
  if (!end?.results) return undefined;
  if (end.responsesFile) return { responsesFile: end.responsesFile };
  return { inlinedResponses: { inlinedResponses: inlinedResponses(job, end.results) } };
}

export function batchOperation(job: BatchJob, now: number): Record<string, unknown> {
  const name = `batches/${job.id}`;
  const state = stateAt(job, now);
  const out = output(job);
  const type = job.kind === 'embed' ? 'EmbedContentBatch' : 'GenerateContentBatch';
  const metadata: Record<string, unknown> = {
    '@type': `${TYPE_PREFIX}${type}`,
    model: `models/${job.model}`,
  };
  if (job.displayName !== undefined) metadata.displayName = job.displayName;
  if (job.inputFile) metadata.inputConfig = { fileName: job.inputFile };
  if (out) metadata.output = out;
  metadata.createTime = new Date(job.createdAt).toISOString();
  if (job.end) metadata.endTime = new Date(job.end.at).toISOString();
  metadata.updateTime = new Date(lastChange(job, now)).toISOString();
  metadata.batchStats = batchStats(job, now);
  metadata.state = state;
  metadata.name = name;
  const operation: Record<string, unknown> = { name, metadata };
  if (isActive(state)) return operation;
  operation.done = true;
  if (out) operation.response = { '@type': `${TYPE_PREFIX}${type}Output`, ...out };
  if (state === 'BATCH_STATE_FAILED') operation.error = { code: 13, message: 'Internal error encountered.' };
  return operation;
}

function lastChange(job: BatchJob, now: number): number {
  if (job.end) return job.end.at;
  return now >= job.runningAt ? job.runningAt : job.createdAt;
}
