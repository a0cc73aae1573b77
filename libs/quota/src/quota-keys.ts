// Every key of one model carries `{<model>}` as its hash tag, so one script touching several projects
// of that model stays inside one Redis Cluster slot.

/** `<prefix>:quota:{<model>}` — the base of every key of one model. */
export function modelBase(prefix: string, model: string): string {
  return `${prefix}:quota:{${model}}`;
}

/** The per-model counter that rotates the order in which equally roomy candidates are tried. */
export function rotationKey(prefix: string, model: string): string {
  return `${modelBase(prefix, model)}:rr`;
}

export interface ProjectKeys {
  win: string;
  sum: string;
  pending: string;
  block: string;
  day(dayStartMs: number): string;
}

export function projectKeys(prefix: string, model: string, projectId: string): ProjectKeys {
  const base = `${modelBase(prefix, model)}:p:${projectId}`;
  return {
    win: `${base}:win`,
    sum: `${base}:sum`,
    pending: `${base}:pending`,
    block: `${base}:block`,
    day: (dayStartMs) => `${base}:day:${dayStartMs}`,
  };
}

// Spend is counted per billing scope across models, so its keys carry no {model} tag: with Redis
// Cluster they would sit in other slots than the model's keys (keyfleet runs on one Redis).

/** `<prefix>:quota:spend` — the base the scripts build spend keys from. */
export function spendBase(prefix: string): string {
  return `${prefix}:quota:spend`;
}

export interface SpendKeys {
  win: string;
  sum: string;
}

/** The rolling spend window of one scope (`p:<projectId>` or `g:<billing group>`). */
export function spendScopeKeys(prefix: string, scope: string): SpendKeys {
  const base = `${spendBase(prefix)}:s:${scope}`;
  return { win: `${base}:win`, sum: `${base}:sum` };
}

/** One project's spend of one Pacific day, all models together. */
export function spendDayKey(prefix: string, projectId: string, dayStartMs: number): string {
  return `${spendBase(prefix)}:p:${projectId}:day:${dayStartMs}`;
}
