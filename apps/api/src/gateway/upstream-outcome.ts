import {
  classifyGoogleError,
  classifyUpstreamError,
  SendDeadlinePassedError,
  type ClassifiedUpstreamError,
} from '@keyfleet/upstream';
import type { UpstreamAnswer } from './upstream-http';

/** A 2xx answer still to be relayed, or a classified failure (with Google's body, when there was one). */
export type UpstreamOutcome =
  | { kind: 'ok'; answer: UpstreamAnswer }
  | { kind: 'failed'; failure: ClassifiedUpstreamError; body: string | null };

/**
 * Sends once; an error answer is read whole (it is small) and classified like the worker does. A request
 * held back at its send deadline rejects with SendDeadlinePassedError: nothing was sent, no outcome.
 */
export async function sendOnce(send: () => Promise<UpstreamAnswer>): Promise<UpstreamOutcome> {
  let answer: UpstreamAnswer;
  try {
    answer = await send();
  } catch (error) {
    if (error instanceof SendDeadlinePassedError) throw error;
    return { kind: 'failed', failure: classifyUpstreamError(error), body: null };
  }
  if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', answer };
  try {
    const body = await answer.text();
    return { kind: 'failed', failure: classifyGoogleError(answer.status, body), body };
  } catch (error) {
    return { kind: 'failed', failure: classifyUpstreamError(error), body: null };
  } finally {
    answer.done();
  }
}
