import type { EconomyItem, ProjectBatchLoad } from './batch-mode-jobs.store';
import { planJobs } from './batch-mode-plan';

const items = (count: number, tokens = 10): EconomyItem[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `i${i}`,
    lineNo: i + 1,
    key: `k${i}`,
    request: {},
    estTokens: tokens,
  }));
const load = (projectId: string, over: Partial<ProjectBatchLoad> = {}): ProjectBatchLoad => ({
  projectId,
  maxJobs: 100,
  tokenCap: null,
  openJobs: 0,
  enqueuedTokens: 0,
  ...over,
});

describe('planJobs', () => {
  it('splits consecutive runs evenly across the projects', () => {
    const plan = planJobs(items(10), [load('a'), load('b'), load('c')], 1000);
    expect(plan.map((job) => [job.projectId, job.items[0].lineNo, job.items.length])).toEqual([
      ['a', 1, 4],
      ['b', 5, 4],
      ['c', 9, 2],
    ]);
  });

  it('keeps each project within its concurrent jobs and enqueued tokens, and leaves the rest for later', () => {
    const plan = planJobs(
      items(10),
      [load('a', { maxJobs: 3, openJobs: 3 }), load('b', { tokenCap: 100, enqueuedTokens: 70 }), load('c')],
      2,
    );
    expect(plan.map((job) => [job.projectId, job.items.length, job.estTokens])).toEqual([
      ['b', 2, 20],
      ['c', 2, 20],
      ['b', 1, 10],
      ['c', 2, 20],
      ['c', 2, 20],
      ['c', 1, 10],
    ]);
    expect(planJobs(items(3), [load('a', { maxJobs: 1, openJobs: 1 })], 10)).toEqual([]);
  });
});
