// Batch Mode jobs: what a job holds and which state it is in at a given time. States are derived from the
// simulator's clock on every read (no timers), so a test moves a job along by moving the clock.
import { randomBytes } from 'node:crypto';
import type { ResolvedSimBatchMode, SimBatchFault } from '@keyfleet/testing';
import type { GoogleErrorBody } from '../errors/google-error-bodies';
import type { EmbedRequest } from '../routes/embed-content';
import type { GenerateContentRequest } from '../tokens';

export type BatchState =
  | 'BATCH_STATE_PENDING'
  | 'BATCH_STATE_RUNNING'
  | 'BATCH_STATE_SUCCEEDED'
  | 'BATCH_STATE_FAILED'
  | 'BATCH_STATE_CANCELLED'
  | 'BATCH_STATE_EXPIRED';

export type TerminalState = Exclude<BatchState, 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING'>;

/** One request of a job: its `metadata` (inline) or `key` (file line), and the request or why it is invalid. */
export interface BatchItem {
  metadata?: unknown;
  key?: unknown;
  request?: GenerateContentRequest;
  /** For an embeddings job (asyncBatchEmbedContent). */
  embed?: EmbedRequest;
  invalid?: GoogleErrorBody;
  tokens: number;
}

/** generateContent jobs (batchGenerateContent) or embedContent jobs (asyncBatchEmbedContent). */
export type BatchKind = 'generate' | 'embed';

/** One answered request: a GenerateContentResponse or EmbedContentResponse, or a google.rpc.Status. */
export type ItemResult = { response: object } | { error: { code: number; message: string } };

export interface BatchEnd {
  state: TerminalState;
  at: number;
  /** SUCCEEDED only: per item, in input order. */
  results?: ItemResult[];
  /** File-sourced SUCCEEDED jobs: the result file's name (`files/batch-…`). */
  responsesFile?: string;
}

/** What a create request decides. */
export interface NewBatchJob {
  kind: BatchKind;
  projectId: string;
  model: string;
  displayName?: string;
  /** `files/…` for a job made from an uploaded JSONL file; absent for inline requests. */
  inputFile?: string;
  items: BatchItem[];
  fault?: SimBatchFault;
}

export interface BatchJob extends NewBatchJob {
  id: string;
  inputTokens: number;
  createdAt: number;
  /** The time scale in force at creation. */
  runningAt: number;
  endsAt: number;
  expiresAt: number;
  end?: BatchEnd;
  deleted?: boolean;
}

// Google's batch ids: 36 lowercase letters and digits.
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function resourceId(length: number): string {
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

export function isActive(state: BatchState): boolean {
  return state === 'BATCH_STATE_PENDING' || state === 'BATCH_STATE_RUNNING';
}

/** The state at `now`, ignoring settlement: a due job reports the terminal state it is about to get. */
export function stateAt(job: BatchJob, now: number): BatchState {
  if (job.end) return job.end.state;
  const due = dueEnd(job);
  if (now >= due.at) return due.state;
  return now < job.runningAt ? 'BATCH_STATE_PENDING' : 'BATCH_STATE_RUNNING';
}

/** When and how the job ends if nobody cancels it. */
export function dueEnd(job: BatchJob): { state: TerminalState; at: number } {
  if (job.expiresAt <= job.endsAt) return { state: 'BATCH_STATE_EXPIRED', at: job.expiresAt };
  if (job.fault?.outcome === 'expire') return { state: 'BATCH_STATE_EXPIRED', at: job.endsAt };
  if (job.fault?.outcome === 'fail') return { state: 'BATCH_STATE_FAILED', at: job.endsAt };
  return { state: 'BATCH_STATE_SUCCEEDED', at: job.endsAt };
}

/** Every job of the run, per project; deleted jobs are kept (for the stats) but never shown. */
export class BatchJobStore {
  private readonly jobs = new Map<string, BatchJob>();

  create(spec: NewBatchJob, now: number, scale: ResolvedSimBatchMode): BatchJob {
    const job: BatchJob = {
      ...spec,
      id: resourceId(36),
      inputTokens: spec.items.reduce((sum, item) => sum + item.tokens, 0),
      createdAt: now,
      runningAt: now + scale.pendingMs,
      endsAt: now + Math.max(scale.turnaroundMs, scale.pendingMs),
      expiresAt: now + scale.expireAfterMs,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** A project's job by id; another project's job is not found, as at Google. */
  find(projectId: string, id: string): BatchJob | undefined {
    const job = this.jobs.get(id);
    return job && job.projectId === projectId && !job.deleted ? job : undefined;
  }

  /** A project's visible jobs, newest first. */
  listFor(projectId: string): BatchJob[] {
    return [...this.jobs.values()]
      .filter((job) => job.projectId === projectId && !job.deleted)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Jobs not yet settled (whatever their project). */
  unsettled(): BatchJob[] {
    return [...this.jobs.values()].filter((job) => !job.end);
  }

  /** A project's pending or running jobs at `now`. */
  activeFor(projectId: string, now: number): BatchJob[] {
    return [...this.jobs.values()].filter(
      (job) => job.projectId === projectId && !job.deleted && isActive(stateAt(job, now)),
    );
  }
}
