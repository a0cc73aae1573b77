import { costMicros, type Reservation } from '@keyfleet/quota';

/** What an answer cost at the prices its reservation was made at (0 for an unpriced model). */
export function answerCostMicros(
  reservation: Reservation,
  promptTokens: number,
  outputTokens: number,
): number {
  const { spend } = reservation;
  return spend ? costMicros(promptTokens, { input: spend.input, output: spend.output, outputTokens }) : 0;
}
