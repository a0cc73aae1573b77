// One generation request's fate at arrival: scripted answer, random fault, 429, or admission after latency.
import { randomFaultAnswer, rollRandomFault, scriptedFaultAnswer, takeScriptedFault } from './faults';
import { admitOrRefuse } from './quota/quota-decision';
import { drawLatency, type SimContext } from './sim-context';
import type { KeyEntry } from './sim-state';

export type GateDecision =
  | { kind: 'admitted'; delayMs: number }
  | { kind: 'error'; status: number; body: unknown; delayMs: number }
  | { kind: 'drop' };

export function decideGeneration(
  ctx: SimContext,
  entry: KeyEntry,
  model: string,
  tokens: number,
  /** The output tokens the answer will have: what its cost depends on beside the input. */
  outputTokens = 0,
  /** The share of the interactive price charged (0.5 on the Flex tier). */
  priceFactor = 1,
): GateDecision {
  const { project } = entry;
  const { faults } = ctx.state.config;
  const limits = project.limits[model];
  const scripted = takeScriptedFault(faults, project.id, model);
  if (scripted) {
    const answer = scriptedFaultAnswer(scripted, { tier: project.tier, model, limits });
    if (answer.status === 429) {
      ctx.state.stats.refused(
        project.id,
        model,
        limits ?? { rpm: 0, tpm: 0, rpd: 0 },
        answer.quotaId ? [answer.quotaId] : [],
      );
    }
    return { kind: 'error', status: answer.status, body: answer.body, delayMs: 0 };
  }
  const fault = rollRandomFault(faults, () => ctx.random());
  if (fault.kind === 'drop') return { kind: 'drop' };
  const delayMs = drawLatency(ctx) + fault.extraDelayMs;
  if (fault.kind === 'error') {
    const answer = randomFaultAnswer(faults.errorStatus);
    return { kind: 'error', status: answer.status, body: answer.body, delayMs };
  }
  const refusal = admitOrRefuse(ctx, project, model, tokens, outputTokens, priceFactor);
  if (refusal) return { kind: 'error', status: refusal.status, body: refusal.body, delayMs: 0 };
  return { kind: 'admitted', delayMs };
}

/**
 * One decision for a call that counts as several requests (an embedding batch: one per content, of these
 * input tokens): the first that is not admitted, else admitted after the longest latency drawn.
 */
export function decideEach(ctx: SimContext, entry: KeyEntry, model: string, tokens: number[]): GateDecision {
  let delayMs = 0;
  for (const each of tokens) {
    const decision = decideGeneration(ctx, entry, model, each);
    if (decision.kind !== 'admitted') return decision;
    delayMs = Math.max(delayMs, decision.delayMs);
  }
  return { kind: 'admitted', delayMs };
}
