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
