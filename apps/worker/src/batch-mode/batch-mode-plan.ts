import type { EconomyItem, ProjectBatchLoad } from './batch-mode-jobs.store';

/** A Batch Mode job to create: a run of consecutive items for one project. */
export interface PlannedJob {
  projectId: string;
  items: EconomyItem[];
  estTokens: number;
}

interface Room {
  projectId: string;
  jobs: number;
  tokens: number;
}

/**
 * Splits waiting items (in line order) into jobs across the projects, evenly, each project within its
 * Batch Mode limits (concurrent jobs, enqueued tokens for the model) and each job at most `maxItems`.
 * Items that fit nowhere now are left for a later round, when jobs have ended.
 */
export function planJobs(
  items: readonly EconomyItem[],
  loads: readonly ProjectBatchLoad[],
  maxItems: number,
): PlannedJob[] {
  const rooms: Room[] = loads
    .map((load) => ({
      projectId: load.projectId,
      jobs: load.maxJobs - load.openJobs,
      tokens: load.tokenCap === null ? Infinity : load.tokenCap - load.enqueuedTokens,
    }))
    .filter((room) => room.jobs > 0 && room.tokens > 0);
  const plan: PlannedJob[] = [];
  if (rooms.length === 0) return plan;
  const size = Math.max(1, Math.min(maxItems, Math.ceil(items.length / rooms.length)));
  let next = 0;
  let idle = 0;
  // Round robin over the projects until the items are placed or no project takes the next one.
  for (let turn = 0; next < items.length && idle < rooms.length; turn++) {
    const room = rooms[turn % rooms.length];
    const job = room.jobs > 0 ? takeRun(items, next, size, room.tokens) : null;
    if (!job) {
      idle++;
      continue;
    }
    idle = 0;
    plan.push({ projectId: room.projectId, ...job });
    room.jobs--;
    room.tokens -= job.estTokens;
    next += job.items.length;
  }
  return plan;
}

/** Up to `size` items from `start` whose tokens stay within `tokens`; null when not even one fits. */
function takeRun(
  items: readonly EconomyItem[],
  start: number,
  size: number,
  tokens: number,
): { items: EconomyItem[]; estTokens: number } | null {
  let estTokens = 0;
  let end = start;
  while (end < items.length && end - start < size && estTokens + items[end].estTokens <= tokens) {
    estTokens += items[end].estTokens;
    end++;
  }
  return end === start ? null : { items: items.slice(start, end), estTokens };
}
