// Google's quota metrics and quotaIds, per tier and dimension, as they appear in 429 QuotaFailure details.
import type { SimTier } from '@keyfleet/testing';

export type QuotaDimension = 'rpm' | 'tpm' | 'rpd' | 'tpd';

export interface QuotaIdentity {
  quotaMetric: string;
  quotaId: string;
}

const METRIC_PREFIX = 'generativelanguage.googleapis.com/';

const IDENTITIES: Record<SimTier, Record<QuotaDimension, QuotaIdentity>> = {
  free: {
    rpm: {
      quotaMetric: `${METRIC_PREFIX}generate_content_free_tier_requests`,
      quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    },
    tpm: {
      quotaMetric: `${METRIC_PREFIX}generate_content_free_tier_input_token_count`,
      quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
    },
    rpd: {
      quotaMetric: `${METRIC_PREFIX}generate_content_free_tier_requests`,
      quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    },
    tpd: {
      quotaMetric: `${METRIC_PREFIX}generate_content_free_tier_input_token_count`,
      quotaId: 'GenerateContentInputTokensPerModelPerDay-FreeTier',
    },
  },
  paid: {
    rpm: {
      quotaMetric: `${METRIC_PREFIX}generate_requests_per_model`,
      quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
    },
    tpm: {
      quotaMetric: `${METRIC_PREFIX}generate_content_paid_tier_input_token_count`,
      quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute',
    },
    rpd: {
      quotaMetric: `${METRIC_PREFIX}generate_requests_per_model_per_day`,
      quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
    },
    tpd: {
      quotaMetric: `${METRIC_PREFIX}generate_content_paid_tier_input_token_count`,
      quotaId: 'GenerateContentPaidTierInputTokensPerModelPerDay',
    },
  },
};

export function quotaIdentity(tier: SimTier, dimension: QuotaDimension): QuotaIdentity {
  return IDENTITIES[tier][dimension];
}

/** The dimension a (possibly scripted) quotaId stands for, read from its name as keyfleet should. */
export function dimensionOfQuotaId(quotaId: string): QuotaDimension {
  const perDay = quotaId.includes('PerDay');
  return quotaId.includes('InputTokens') ? (perDay ? 'tpd' : 'tpm') : perDay ? 'rpd' : 'rpm';
}

/** The metric Google reports alongside a quotaId; a free-tier quotaId carries a free-tier metric. */
export function metricOfQuotaId(quotaId: string): string {
  const tier: SimTier = quotaId.endsWith('-FreeTier') ? 'free' : 'paid';
  return quotaIdentity(tier, dimensionOfQuotaId(quotaId)).quotaMetric;
}
