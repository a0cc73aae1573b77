const DAY_MS = 86_400_000;

/**
 * When a key issued at `issuedAt` is due for rotation: uniformly between minDays and maxDays later,
 * so keys added together do not all rotate together.
 */
export function drawRotationDueAt(
  issuedAt: Date,
  window: { minDays: number; maxDays: number },
  random: () => number = Math.random,
): Date {
  const days = window.minDays + (window.maxDays - window.minDays) * random();
  return new Date(issuedAt.getTime() + Math.round(days * DAY_MS));
}
