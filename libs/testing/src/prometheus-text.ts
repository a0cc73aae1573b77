import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * A /metrics page. The whole text goes through a Prometheus text-format parser (which throws on an
 * invalid line, a repeated HELP or TYPE, …); values are read per sample line, so a histogram's `_count`
 * keeps its labels (that parser merges labelled histogram series).
 */
export class ScrapedMetrics {
  private readonly lines: Sample[];

  constructor(readonly text: string) {
    parsePrometheusTextFormat(text);
    this.lines = text.split('\n').flatMap((line): Sample[] => {
      const match = SAMPLE_LINE.exec(line);
      if (!match || line.startsWith('#')) return [];
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
      return [{ name: match[1], labels, value: Number(match[3]) }];
    });
  }

  has(name: string): boolean {
    return this.lines.some((sample) => sample.name === name || sample.name === `${name}_count`);
  }

  /** Samples of a counter or gauge (for a histogram: its `_count` series) whose labels include `labels`. */
  samples(
    name: string,
    labels: Record<string, string> = {},
  ): Array<{ labels: Record<string, string>; value: number }> {
    const histogram = this.lines.some((sample) => sample.name === `${name}_count`);
    const wanted = histogram ? `${name}_count` : name;
    return this.lines
      .filter((s) => s.name === wanted && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map(({ labels: found, value }) => ({ labels: found, value }));
  }

  /** The sum of the matching samples (0 when none); for a histogram, the sum of observation counts. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((total, sample) => total + sample.value, 0);
  }
}

/** GETs a /metrics URL and parses it. */
export async function scrapeMetrics(url: string): Promise<ScrapedMetrics> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} → ${response.status}`);
  return new ScrapedMetrics(await response.text());
}
