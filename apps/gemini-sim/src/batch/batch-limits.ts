// Batch Mode's own per-project limits: concurrent jobs, and enqueued input tokens per model. They are
// separate from the interactive RPM/TPM/RPD windows, which batch jobs never touch.
import { formatRetryDelay, quotaExceededBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import type { SimContext } from '../sim-context';
import { dueEnd, type BatchJob } from './batch-jobs';

// Google documents the limits but not their quotaIds; these names follow its naming pattern.
export const CONCURRENT_JOBS_QUOTA = {
  quotaId: 'BatchConcurrentJobsPerProject',
  quotaMetric: 'generativelanguage.googleapis.com/batch_concurrent_jobs',
};
export const ENQUEUED_TOKENS_QUOTA = {
  quotaId: 'BatchEnqueuedTokensPerModelPerProject',
  quotaMetric: 'generativelanguage.googleapis.com/batch_enqueued_tokens',
};

const MINUTE_MS = 60_000;

/** Google's 429 if this job would pass a limit, else null. Call after settling due jobs. */
export function checkBatchLimits(
  ctx: SimContext,
  projectId: string,
  model: string,
  tokens: number,
): GoogleErrorBody | null {
  const now = ctx.now();
  const global = ctx.state.config.batchMode;
  const own = ctx.state.projectById(projectId)?.batchLimits;
  const maxJobs = own?.maxConcurrentJobs ?? global.maxConcurrentJobs;
  const active = ctx.state.batches.activeFor(projectId, now);
  const ends = (jobs: BatchJob[]) => jobs.map((job) => dueEnd(job).at).sort((a, b) => a - b);
  if (active.length + 1 > maxJobs) {
    const freeAt = ends(active)[active.length - maxJobs] ?? now + MINUTE_MS;
    return refusal(CONCURRENT_JOBS_QUOTA, model, maxJobs, freeAt - now);
  }
  const limit = own?.enqueuedTokens?.[model] ?? global.enqueuedTokens[model] ?? global.defaultEnqueuedTokens;
  const sameModel = active.filter((job) => job.model === model);
  let enqueued = sameModel.reduce((sum, job) => sum + job.inputTokens, 0);
  if (enqueued + tokens <= limit) return null;
  // The wait: until enough of the enqueued jobs end; a job larger than the limit can never fit ("a minute").
  let freeAt = now + MINUTE_MS;
  if (tokens <= limit) {
    const byEnd = [...sameModel].sort((a, b) => dueEnd(a).at - dueEnd(b).at);
    for (const job of byEnd) {
      enqueued -= job.inputTokens;
      if (enqueued + tokens <= limit) {
        freeAt = dueEnd(job).at;
        break;
      }
    }
  }
  return refusal(ENQUEUED_TOKENS_QUOTA, model, limit, freeAt - now);
}

function refusal(
  identity: { quotaId: string; quotaMetric: string },
  model: string,
  limit: number,
  waitMs: number,
): GoogleErrorBody {
  return quotaExceededBody([{ ...identity, model, limit }], formatRetryDelay(Math.max(1, waitMs)));
}
