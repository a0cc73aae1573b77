// Google resets per-day quotas at midnight America/Los_Angeles; days are 23 or 25 hours long across DST.

const PACIFIC = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

export interface PacificDay {
  /** YYYY-MM-DD in Pacific time. */
  date: string;
  /** Epoch ms of the day's first instant (inclusive) and of the next day's first instant (exclusive). */
  start: number;
  end: number;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The Pacific wall-clock fields of an instant, read back as if they were UTC. */
function pacificWallClockAsUtc(instant: number): { wall: number; date: LocalDate } {
  const fields: Record<string, number> = {};
  for (const part of PACIFIC.formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const date = { year: fields.year, month: fields.month, day: fields.day };
  return {
    wall: Date.UTC(date.year, date.month - 1, date.day, fields.hour, fields.minute, fields.second),
    date,
  };
}

/** Pacific offset from UTC (ms, negative) in force at an instant. */
function pacificOffsetAt(instant: number): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return pacificWallClockAsUtc(wholeSecond).wall - wholeSecond;
}

/** The instant of Pacific midnight starting a local date (day may overflow; Date.UTC normalizes it). */
function pacificMidnight(date: LocalDate): number {
  const wallMidnight = Date.UTC(date.year, date.month - 1, date.day);
  // Two passes: the first guess may sit on the other side of a DST change from the answer.
  const guess = wallMidnight - pacificOffsetAt(wallMidnight);
  return wallMidnight - pacificOffsetAt(guess);
}

export function pacificDayAt(instant: number): PacificDay {
  const { date } = pacificWallClockAsUtc(instant);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${date.year}-${pad(date.month)}-${pad(date.day)}`,
    start: pacificMidnight(date),
    end: pacificMidnight({ ...date, day: date.day + 1 }),
  };
}

/** Caches the current Pacific day so the hot path does not format dates on every request. */
export class PacificDayClock {
  private current: PacificDay | null = null;

  dayAt(instant: number): PacificDay {
    const cached = this.current;
    if (cached && instant >= cached.start && instant < cached.end) return cached;
    const day = pacificDayAt(instant);
    this.current = day;
    return day;
  }
}
