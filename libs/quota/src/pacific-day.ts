// Gemini's daily quotas reset at midnight America/Los_Angeles. Lua in Redis has no time zones,
// so the day boundaries are computed here (DST-aware through Intl) and handed to the scripts.

const PACIFIC = 'America/Los_Angeles';
const HOUR_MS = 3_600_000;
// A Pacific day lasts 23, 24 or 25 hours; 26 h after a day's start always lands in the next day.
const MORE_THAN_A_DAY_MS = 26 * HOUR_MS;

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: PACIFIC,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function pacificWallClock(atMs: number): WallClock {
  const fields: Record<string, number> = {};
  for (const part of pacificParts.formatToParts(atMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour,
    minute: fields.minute,
    second: fields.second,
  };
}

/** Epoch ms of the Pacific midnight that starts the day containing `atMs`. */
export function pacificDayStart(atMs: number): number {
  const wall = pacificWallClock(atMs);
  const utcMidnight = Date.UTC(wall.year, wall.month - 1, wall.day);
  // Pacific is UTC-8 (PST) or UTC-7 (PDT); DST switches at 02:00, so midnight always exists once.
  for (const offsetHours of [7, 8]) {
    const candidate = utcMidnight + offsetHours * HOUR_MS;
    const at = pacificWallClock(candidate);
    if (at.day === wall.day && at.hour === 0 && at.minute === 0 && at.second === 0) return candidate;
  }
  throw new Error(`No Pacific midnight found for ${new Date(atMs).toISOString()}`);
}

/** Epoch ms of the first Pacific midnight strictly after `atMs`. */
export function nextPacificMidnight(atMs: number): number {
  return pacificDayStart(pacificDayStart(atMs) + MORE_THAN_A_DAY_MS);
}

/**
 * Starts of yesterday, today, tomorrow and the day after (Pacific) around `atMs`: the quota scripts
 * pick the day that holds Redis' clock, so a small disagreement between clocks is harmless.
 */
export function pacificDayBoundaries(atMs: number): number[] {
  const today = pacificDayStart(atMs);
  const yesterday = pacificDayStart(today - 1);
  const tomorrow = nextPacificMidnight(today);
  return [yesterday, today, tomorrow, nextPacificMidnight(tomorrow)];
}
