import type { UsageLane } from './usage-types';

/** The answer header in which Google says which service tier served an interactive call. */
export const SERVICE_TIER_HEADER = 'x-gemini-service-tier';

/**
 * The lane an interactive answer is priced in, from its service tier header: `flex` is the Flex lane
 * (half price); anything else (standard, priority, none) is priced live. Google charges Priority more,
 * but keyfleet has no Priority price: it is counted at the Standard price.
 */
export function laneOfServiceTier(tier: string | null | undefined): UsageLane {
  return tier?.trim().toLowerCase() === 'flex' ? 'flex' : 'live';
}
