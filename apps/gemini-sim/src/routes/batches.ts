// Batch Mode: POST /models/{m}:batchGenerateContent, GET /batches[/{id}], POST /batches/{id}:cancel,
// DELETE /batches/{id}. Jobs belong to the project of the key; they never touch the interactive quotas.
import { parseBatchInput } from '../batch/batch-input';
import { isActive, stateAt, type BatchJob, type BatchKind } from '../batch/batch-jobs';
import { checkBatchLimits } from '../batch/batch-limits';
import { batchOperation } from '../batch/batch-operation';
import { settle, settleDueJobs } from '../batch/batch-settle';
import {
  entityNotFoundBody,
  failedPreconditionBody,
  invalidArgumentBody,
  modelNotFoundBody,
  payloadTooLargeBody,
} from '../errors/google-error-bodies';
import { takeFromScript } from '../faults';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { isErrorBody, type ApiCall } from './api-call';

type Answer = { status: number; body: unknown };

const BATCH_PATH = /^batches(?:\/([^/:]+)(?::([A-Za-z]+))?)?$/;
const DEFAULT_PAGE_SIZE = 50;

/** The project of a valid key, with due jobs settled; or the key's refusal (already answered). */
function authorize(ctx: SimContext, call: ApiCall, rpc: string): string | undefined {
  const auth = checkKey(ctx.state, call.key, call.peerIp, `BatchService.${rpc}`);
  if (!auth.ok) {
    call.reply.json(auth.body.error.code, auth.body);
    return undefined;
  }
  settleDueJobs(ctx);
  return auth.entry.project.id;
}

/** batchGenerateContent (`generate`) or asyncBatchEmbedContent (`embed`). */
export function handleBatchCreate(ctx: SimContext, call: ApiCall, model: string, kind: BatchKind): void {
  const rpc = kind === 'embed' ? 'AsyncBatchEmbedContent' : 'BatchGenerateContent';
  const projectId = authorize(ctx, call, rpc);
  if (!projectId) return;
  const answer = createJob(ctx, call, projectId, model, kind);
  if (answer.status === 429) ctx.state.stats.batchMode.refused429 += 1;
  call.reply.json(answer.status, answer.body);
}

function createJob(
  ctx: SimContext,
  call: ApiCall,
  projectId: string,
  model: string,
  kind: BatchKind,
): Answer {
  if (!isKnownModel(model, ctx.state.configuredModels)) {
    const method = kind === 'embed' ? 'asyncBatchEmbedContent' : 'batchGenerateContent';
    return { status: 404, body: modelNotFoundBody(model, call.apiVersion, method) };
  }
  const limits = ctx.state.config.batchMode;
  if (Buffer.byteLength(call.body) > limits.maxInlineBytes)
    return { status: 400, body: payloadTooLargeBody(limits.maxInlineBytes) };
  const input = parseBatchInput(kind, call.body, ctx.state.files, projectId);
  if (isErrorBody(input)) return { status: input.error.code, body: input };
  const tokens = input.items.reduce((sum, item) => sum + item.tokens, 0);
  const refusal = checkBatchLimits(ctx, projectId, model, tokens);
  if (refusal) return { status: 429, body: refusal };
  const taken = takeFromScript(ctx.state.config.faults.batchScript, projectId, model);
  const fault = taken ? { ...taken } : undefined;
  const job = ctx.state.batches.create(
    { ...input, kind, projectId, model, ...(fault ? { fault } : {}) },
    ctx.now(),
    limits,
  );
  ctx.state.stats.batchMode.jobsCreated += 1;
  return { status: 200, body: batchOperation(job, ctx.now()) };
}

/** GET/POST/DELETE under /batches; false if the path is not a batches path. */
export function routeBatches(ctx: SimContext, call: ApiCall, method: string, rest: string): boolean {
  const match = BATCH_PATH.exec(rest);
  if (!match) return false;
  const [, id, action] = match;
  if (!id && method === 'GET') listJobs(ctx, call);
  else if (id && !action && method === 'GET') onJob(ctx, call, 'GetBatch', id, (job) => job);
  else if (id && action === 'cancel' && method === 'POST') onJob(ctx, call, 'CancelBatch', id, cancel(ctx));
  else if (id && !action && method === 'DELETE') onJob(ctx, call, 'DeleteBatch', id, remove(ctx));
  else return false;
  return true;
}

type JobAction = (job: BatchJob) => unknown;

function onJob(ctx: SimContext, call: ApiCall, rpc: string, id: string, action: JobAction): void {
  const projectId = authorize(ctx, call, rpc);
  if (!projectId) return;
  const job = ctx.state.batches.find(projectId, id);
  if (!job) return call.reply.json(404, entityNotFoundBody());
  const result = action(job);
  if (isErrorBody(result)) return call.reply.json(result.error.code, result);
  call.reply.json(200, result === job ? batchOperation(job, ctx.now()) : result);
}

/** Pending or running jobs end CANCELLED (without results); a finished job cannot be cancelled. */
const cancel =
  (ctx: SimContext): JobAction =>
  (job) => {
    const state = stateAt(job, ctx.now());
    if (!isActive(state)) return failedPreconditionBody(`Batch ${job.id} is already in state ${state}.`);
    settle(ctx, job, { state: 'BATCH_STATE_CANCELLED', at: ctx.now() });
    return {};
  };

/** Deleting forgets the job; one still pending or running is cancelled first (it stops counting). */
const remove =
  (ctx: SimContext): JobAction =>
  (job) => {
    if (isActive(stateAt(job, ctx.now())))
      settle(ctx, job, { state: 'BATCH_STATE_CANCELLED', at: ctx.now() });
    job.deleted = true;
    return {};
  };

function listJobs(ctx: SimContext, call: ApiCall): void {
  const projectId = authorize(ctx, call, 'ListBatches');
  if (!projectId) return;
  const params = call.url.searchParams;
  const pageSize = Number(params.get('pageSize') ?? params.get('page_size') ?? DEFAULT_PAGE_SIZE);
  const token = params.get('pageToken') ?? params.get('page_token') ?? '';
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(pageSize) || pageSize < 0 || !Number.isInteger(offset) || offset < 0)
    return call.reply.json(400, invalidArgumentBody('Invalid pageSize or pageToken.'));
  const jobs = ctx.state.batches.listFor(projectId);
  const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
  const page = jobs.slice(offset, offset + size);
  const body: Record<string, unknown> = { operations: page.map((job) => batchOperation(job, ctx.now())) };
  if (offset + size < jobs.length)
    body.nextPageToken = Buffer.from(String(offset + size), 'utf8').toString('base64url');
  call.reply.json(200, body);
}
