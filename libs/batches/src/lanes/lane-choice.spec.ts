import { chooseLane } from './lane-choice';

const DAY = 86_400_000;
const now = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('chooseLane', () => {
  it('takes live and economy as asked; economy names its saving', () => {
    expect(chooseLane({ lane: 'live', deadline: null, liveCostUsd: 2, turnaroundMs: DAY, now })).toEqual({
      laneChosen: 'live',
      laneReason: null,
      estimatedSavingUsd: null,
    });
    expect(
      chooseLane({ lane: 'economy', deadline: at(1000), liveCostUsd: 2, turnaroundMs: DAY, now }),
    ).toEqual({
      laneChosen: 'economy',
      laneReason: null,
      estimatedSavingUsd: 1,
    });
  });

  it('auto: economy for a far deadline or none, live for a near one, and says why', () => {
    const far = chooseLane({ lane: 'auto', deadline: at(2 * DAY), liveCostUsd: 3, turnaroundMs: DAY, now });
    expect(far).toMatchObject({ laneChosen: 'economy', estimatedSavingUsd: 1.5 });
    expect(far.laneReason).toContain("leaves Batch Mode's 24 h turnaround");
    const near = chooseLane({ lane: 'auto', deadline: at(DAY / 2), liveCostUsd: 3, turnaroundMs: DAY, now });
    expect(near).toMatchObject({ laneChosen: 'live', estimatedSavingUsd: null });
    expect(near.laneReason).toContain('sooner than');
    const none = chooseLane({ lane: 'auto', deadline: null, liveCostUsd: null, turnaroundMs: DAY, now });
    expect(none).toMatchObject({ laneChosen: 'economy', estimatedSavingUsd: null });
    expect(none.laneReason).toContain('no deadline');
  });
});
