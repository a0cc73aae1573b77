// Injected failures: scripted answers for the next n matching requests, and random errors, drops and slowness.
import type { ResolvedSimFaults, SimModelLimits, SimScriptedFault, SimTier } from '@keyfleet/testing';
import {
  bareResourceExhaustedBody,
  helpOnlyResourceExhaustedBody,
  internalErrorBody,
  overloadedBody,
  quotaExceededBody,
  scriptedClientErrorBody,
} from './errors/google-error-bodies';
import { dimensionOfQuotaId, metricOfQuotaId, quotaIdentity } from './quota/quota-ids';

export interface FaultAnswer {
  status: number;
  body: unknown;
  /** The quotaId a 429 names, for the stats. */
  quotaId?: string;
}

export type RandomFault =
  { kind: 'none'; extraDelayMs: number } | { kind: 'drop' } | { kind: 'error'; extraDelayMs: number };

interface ScriptEntry {
  count: number;
  projectId?: string;
  model?: string;
}

/** Uses up one of the first entry matching this project and model, if any (removed when used up). */
export function takeFromScript<T extends ScriptEntry>(
  script: T[],
  projectId: string,
  model: string,
): T | undefined {
  const index = script.findIndex(
    (entry) => (!entry.projectId || entry.projectId === projectId) && (!entry.model || entry.model === model),
  );
  if (index < 0) return undefined;
  const entry = script[index];
  entry.count -= 1;
  if (entry.count <= 0) script.splice(index, 1);
  return entry;
}

/** Uses up one answer of the first script entry matching this project and model, if any. */
export function takeScriptedFault(
  faults: ResolvedSimFaults,
  projectId: string,
  model: string,
): SimScriptedFault | undefined {
  return takeFromScript(faults.script, projectId, model);
}

export interface ScriptTarget {
  tier: SimTier;
  model: string;
  limits: SimModelLimits | undefined;
}

export function scriptedFaultAnswer(entry: SimScriptedFault, target: ScriptTarget): FaultAnswer {
  if (entry.status === 429 && entry.helpOnly) return { status: 429, body: helpOnlyResourceExhaustedBody() };
  if (entry.status === 429) {
    const quotaId = entry.quotaId ?? quotaIdentity(target.tier, 'rpm').quotaId;
    const body = entry.body ?? scripted429Body(quotaId, entry.retryDelay ?? '30s', target);
    return { status: 429, body, quotaId };
  }
  if (entry.body) return { status: entry.status, body: entry.body };
  if (entry.status === 500) return { status: 500, body: internalErrorBody() };
  if (entry.status === 503) return { status: 503, body: overloadedBody() };
  return { status: entry.status, body: scriptedClientErrorBody(entry.status, entry.reason, entry.message) };
}

function scripted429Body(quotaId: string, retryDelay: string, target: ScriptTarget): unknown {
  const limit = target.limits?.[dimensionOfQuotaId(quotaId)] ?? 0;
  return quotaExceededBody(
    [{ quotaId, quotaMetric: metricOfQuotaId(quotaId), model: target.model, limit }],
    retryDelay,
  );
}

export function randomFaultAnswer(status: ResolvedSimFaults['errorStatus']): FaultAnswer {
  if (status === 429) return { status, body: bareResourceExhaustedBody() };
  return { status, body: status === 500 ? internalErrorBody() : overloadedBody() };
}

/** Rolls the dice for one request: dropped, answered with an error, and/or slowed down. */
export function rollRandomFault(faults: ResolvedSimFaults, random: () => number): RandomFault {
  if (faults.dropRate > 0 && random() < faults.dropRate) return { kind: 'drop' };
  const extraDelayMs = faults.slowRate > 0 && random() < faults.slowRate ? faults.slowMs : 0;
  if (faults.errorRate > 0 && random() < faults.errorRate) return { kind: 'error', extraDelayMs };
  return { kind: 'none', extraDelayMs };
}
