import type { SimConfig } from '@keyfleet/testing';

export const DEMO_MODEL = 'gemini-2.5-flash';

/** Three free-tier projects with deliberately small RPM, so the demo shows keyfleet pacing a batch. */
export const DEMO_PROJECTS = [
  { name: 'demo-alpha', rpm: 10, keys: ['AQ.Ab8DemoAlphaKey000000000000000001'] },
  {
    name: 'demo-bravo',
    rpm: 20,
    keys: ['AQ.Ab8DemoBravoKey000000000000000002', 'AQ.Ab8DemoBravoKey000000000000000003'],
  },
  { name: 'demo-charlie', rpm: 30, keys: ['AQ.Ab8DemoCharlieKey0000000000000004'] },
];

export const DEMO_TPM = 250_000;
export const DEMO_RPD = 250;

export function demoSimConfig(): SimConfig {
  return {
    windowMode: 'rolling',
    latencyMs: { min: 150, max: 450 },
    projects: DEMO_PROJECTS.map((project) => ({
      id: project.name,
      tier: 'free',
      limits: { [DEMO_MODEL]: { rpm: project.rpm, tpm: DEMO_TPM, rpd: DEMO_RPD } },
      keys: project.keys,
    })),
  };
}

export function demoRequests(count: number): Array<{ key: string; request: Record<string, unknown> }> {
  return Array.from({ length: count }, (_, index) => ({
    key: `row-${index + 1}`,
    request: {
      contents: [
        { role: 'user', parts: [{ text: `Summarise support ticket #${1000 + index} in one line.` }] },
      ],
    },
  }));
}
