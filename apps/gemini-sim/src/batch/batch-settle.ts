// Ending due jobs: answering their requests as generateContent would, charging half price, writing results.
import { buildAnswer, generateContentResponse } from '../content';
import { embeddingOf } from '../embeddings';
import { requestCostMicros } from '../quota/prices';
import type { SimContext } from '../sim-context';
import { dueEnd, type BatchEnd, type BatchItem, type BatchJob, type ItemResult } from './batch-jobs';

/** Batch Mode costs half the interactive price. */
export const BATCH_PRICE_FACTOR = 0.5;

// google.rpc.Status codes (gRPC numbering, as in Operation errors).
const INTERNAL = 13;
const INTERNAL_MESSAGE = 'Internal error encountered.';

/** Settles every job whose end has come; call before reading jobs, limits or stats. */
export function settleDueJobs(ctx: SimContext): void {
  const now = ctx.now();
  for (const job of ctx.state.batches.unsettled()) {
    const due = dueEnd(job);
    if (now >= due.at) settle(ctx, job, { state: due.state, at: due.at });
  }
}

/** Ends a job now in a terminal state; SUCCEEDED answers its requests. */
export function settle(ctx: SimContext, job: BatchJob, end: BatchEnd): void {
  const totals = ctx.state.stats.batchMode;
  job.end = end;
  if (end.state === 'BATCH_STATE_CANCELLED') totals.jobsCancelled += 1;
  if (end.state === 'BATCH_STATE_EXPIRED') totals.jobsExpired += 1;
  if (end.state === 'BATCH_STATE_FAILED') totals.jobsFailed += 1;
  if (end.state !== 'BATCH_STATE_SUCCEEDED') return;
  totals.jobsSucceeded += 1;
  end.results = job.items.map((item, index) => answerItem(ctx, job, item, index));
  if (job.inputFile) end.responsesFile = writeResultsFile(ctx, job, end.results);
}

function answerItem(ctx: SimContext, job: BatchJob, item: BatchItem, index: number): ItemResult {
  const totals = ctx.state.stats.batchMode;
  const failEvery = job.fault?.outcome === 'failRequests' ? (job.fault.failEvery ?? 2) : 0;
  if (item.invalid || (failEvery > 0 && (index + 1) % failEvery === 0)) {
    totals.requestsFailed += 1;
    const message = item.invalid?.error.message ?? INTERNAL_MESSAGE;
    return { error: { code: item.invalid ? 3 : INTERNAL, message } };
  }
  const { response, outputTokens } = respond(job.model, item);
  const { prices } = ctx.state.config;
  const cost = requestCostMicros(prices, job.model, item.tokens, outputTokens, BATCH_PRICE_FACTOR);
  const project = ctx.state.projectById(job.projectId);
  if (project) ctx.state.recordSpend(project, ctx.now(), cost);
  totals.requestsAnswered += 1;
  totals.spendMicros += cost;
  return { response };
}

/** What generateContent or embedContent would have answered. */
function respond(model: string, item: BatchItem): { response: object; outputTokens: number } {
  if (item.embed) {
    const values = embeddingOf(item.embed.texts.join('\n'), item.embed.dimensions);
    return { response: { embedding: { values } }, outputTokens: 0 };
  }
  const answer = buildAnswer(item.request ?? {}, item.tokens);
  return {
    response: generateContentResponse(model, answer, answer.text, true),
    outputTokens: answer.usage.candidatesTokenCount,
  };
}

/** `{key, response}` / `{key, error}` lines in input order, as Google's responsesFile. */
function writeResultsFile(ctx: SimContext, job: BatchJob, results: ItemResult[]): string {
  const lines = results.map((result, index) => {
    const { key } = job.items[index];
    return JSON.stringify(key === undefined ? result : { ...result, key });
  });
  const id = `batch-${job.id}`;
  ctx.state.files.put({
    id,
    projectId: job.projectId,
    mimeType: 'application/jsonl',
    bytes: Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'),
    createdAt: job.end?.at ?? ctx.now(),
    source: 'GENERATED',
  });
  return `files/${id}`;
}
