import type { ProjectTier } from '@keyfleet/persistence';

/** A project's quota for one model. null: no such per-day limit. */
export interface ModelLimits {
  rpm: number;
  tpm: number;
  rpd: number | null;
  tpd: number | null;
}

/** Model names as Google spells them: lower case, digits, dots and dashes. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;

export const KNOWN_MODELS: string[] = [
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-2.0-flash',
];

const limits = (rpm: number, tpm: number, rpd: number | null): ModelLimits => ({ rpm, tpm, rpd, tpd: null });

/**
 * Example limits from GEMINI-FACTS.md (mid-2025 tables). Presets only: real limits are read from
 * AI Studio and set per project. A model the table does not list for a tier has no preset there.
 */
export const TIER_PRESETS: Record<ProjectTier, Record<string, ModelLimits>> = {
  free: {
    'gemini-2.5-pro': limits(5, 250_000, 100),
    'gemini-2.5-flash': limits(10, 250_000, 250),
    'gemini-2.5-flash-lite': limits(15, 250_000, 1_000),
    'gemini-2.0-flash': limits(15, 1_000_000, 200),
  },
  tier1: {
    'gemini-2.5-pro': limits(150, 2_000_000, 10_000),
    'gemini-2.5-flash': limits(1_000, 1_000_000, 10_000),
    'gemini-2.5-flash-lite': limits(4_000, 4_000_000, null),
    'gemini-2.0-flash': limits(2_000, 4_000_000, null),
  },
  tier2: {
    'gemini-2.5-pro': limits(1_000, 5_000_000, 50_000),
    'gemini-2.5-flash': limits(2_000, 3_000_000, 100_000),
  },
  tier3: {
    'gemini-2.5-pro': limits(2_000, 8_000_000, null),
    'gemini-2.5-flash': limits(10_000, 8_000_000, null),
  },
};

/** An explicit per-model limit row, as stored. */
export interface ExplicitModelLimit extends ModelLimits {
  model: string;
}

/** The limits a project works under: its explicit rows, and its tier's preset for every other model. */
export function effectiveLimits(
  project: { tier: ProjectTier | null },
  explicitLimits: readonly ExplicitModelLimit[],
): Record<string, ModelLimits> {
  const result: Record<string, ModelLimits> = {};
  const preset = project.tier ? TIER_PRESETS[project.tier] : {};
  for (const [model, limit] of Object.entries(preset)) result[model] = { ...limit };
  for (const { model, rpm, tpm, rpd, tpd } of explicitLimits) result[model] = { rpm, tpm, rpd, tpd };
  return sortedByModel(result);
}

function sortedByModel<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
