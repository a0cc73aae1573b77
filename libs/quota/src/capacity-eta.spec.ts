import { capacityEtaSeconds } from './capacity-eta';
import type { ProjectUsage } from './quota-types';

const NOW = 1_800_000_000_000;

function project(id: string, rpm: number, remainingRpm: number, remainingRpd: number | null = null) {
  const usage: ProjectUsage = {
    projectId: id,
    model: 'm',
    window: { requests: rpm - remainingRpm, tokens: 0 },
    today: { requests: 0, tokens: 0 },
    remaining: { rpm: remainingRpm, tpm: 1e6, rpd: remainingRpd, tpd: null },
    blockedUntil: null,
    spend: { scope: `p:${id}`, windowMicros: 0, todayMicros: 0, remainingMicros: null },
  };
  return { limits: { projectId: id, rpm, tpm: 1e6, rpd: remainingRpd, tpd: null }, usage };
}

const base = { nowMs: NOW, nextDayStartMs: NOW + 3_600_000 };

describe('capacityEtaSeconds', () => {
  it('is 0 when nothing is open, null when no project serves the model', () => {
    expect(capacityEtaSeconds({ ...base, openRequests: 0, projects: [project('a', 60, 60)] })).toBe(0);
    expect(capacityEtaSeconds({ ...base, openRequests: 5, projects: [] })).toBeNull();
  });

  it('sends what the window still allows at once and the rest at the pool RPM', () => {
    const projects = [project('a', 30, 10), project('b', 90, 20)]; // 120 RPM, 30 room now
    expect(capacityEtaSeconds({ ...base, openRequests: 30, projects })).toBe(0);
    expect(capacityEtaSeconds({ ...base, openRequests: 150, projects })).toBe(60);
    expect(capacityEtaSeconds({ ...base, openRequests: 31, projects })).toBe(1);
  });

  it('leaves out projects blocked by a 429', () => {
    const blocked = project('b', 90, 90);
    blocked.usage.blockedUntil = NOW + 30_000;
    expect(capacityEtaSeconds({ ...base, openRequests: 90, projects: [project('a', 30, 0), blocked] })).toBe(
      180,
    );
  });

  it('waits for the Pacific day when today has no RPD room left', () => {
    const projects = [project('a', 60, 60, 10)];
    // 10 today at once; the other 70 from the next day start: 60 at once, 10 at 60 RPM.
    expect(capacityEtaSeconds({ ...base, openRequests: 80, projects })).toBe(3600 + 10);
  });
});
