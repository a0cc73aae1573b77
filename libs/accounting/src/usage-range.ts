const HOUR_MS = 3_600_000;

/** A half-open range of whole UTC hours: usage is kept per hour, so every read counts whole hours. */
export interface HourRange {
  from: Date;
  to: Date;
}

/** [from, to) widened to whole hours: `from` rounded down, `to` rounded up (so "until now" has this hour). */
export function hourRange(from: Date, to: Date): HourRange {
  return {
    from: new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS),
    to: new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS),
  };
}

/** The calendar month (UTC) that holds `now`: the default range of usage reports. */
export function monthOf(now: Date): HourRange {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from, to };
}
