/**
 * Every BullMQ queue keyfleet uses and the payload of its jobs, in one place.
 * Dispatch is one queue per model (`dispatch.<model>`): models have independent quotas, so a model
 * that is waiting for room never holds up another model's items.
 */
export enum QueueName {
  /** Prefix of the per-model dispatch queues; see dispatchQueueName(). */
  Dispatch = 'dispatch',
  /** The rotator's periodic sweep over upstream keys (a job scheduler: one sweep at a time across rotators). */
  RotationSweep = 'rotation-sweep',
}

/** The sweep carries no data: it reads everything it needs from Postgres. */
export type RotationSweepJob = Record<string, never>;

/** A batch item to send upstream. The job id is always the item id. */
export interface BatchItemJob {
  itemId: string;
  batchId: string;
  model: string;
}

/** Model names as Google spells them; safe as part of a Redis key and a queue name. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;

/** BullMQ forbids `:` in queue names, so the model is joined with a dot. */
export function dispatchQueueName(model: string): string {
  if (!MODEL_NAME_PATTERN.test(model)) throw new Error(`invalid model name for a queue: "${model}"`);
  return `${QueueName.Dispatch}.${model}`;
}

/** The model a dispatch queue serves, or null when the name is not a dispatch queue. */
export function modelOfDispatchQueue(queueName: string): string | null {
  const prefix = `${QueueName.Dispatch}.`;
  if (!queueName.startsWith(prefix)) return null;
  const model = queueName.slice(prefix.length);
  return MODEL_NAME_PATTERN.test(model) ? model : null;
}

/** Job name of a batch item job (BullMQ wants one; the queue already says what it is). */
export const BATCH_ITEM_JOB_NAME = 'item';
