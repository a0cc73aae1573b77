import { BatchModeJobsStore } from './batch-mode-jobs.store';
import { BatchModeLane } from './batch-mode-lane';
import { BatchModeProcessor } from './batch-mode.processor';
import { BatchModeResults } from './batch-mode-results';
import { BatchModeScheduler } from './batch-mode-scheduler';
import { BatchModeSubmitter } from './batch-mode-submitter';
import { EconomyBudget } from './economy-budget';

/** The economy lane: economy batches through Google's Batch Mode (the worker's BullMQ queue `batch-mode`). */
export const BATCH_MODE_PROVIDERS = [
  BatchModeJobsStore,
  BatchModeSubmitter,
  BatchModeResults,
  BatchModeLane,
  BatchModeProcessor,
  BatchModeScheduler,
  EconomyBudget,
];
