import { Injectable, Logger } from '@nestjs/common';
import { DueRotations } from '../rotation/due-rotations';
import { KeyRotator, type RunSummary } from '../rotation/key-rotator';
import { RestrictionDrift, type DriftSummary } from '../rotation/restriction-drift';
import { RotationLeases } from '../rotation/rotation-leases';
import { RotationTrigger } from '../rotation/rotation-trigger';
import { OverdueKeys } from './overdue-keys';

export interface SweepResult {
  overdue: number;
  newlyFlagged: number;
  started: { scheduled: number; emergency: number };
  run: RunSummary;
  drift?: DriftSummary;
}

/**
 * One pass of the rotator: flag overdue keys (manual issuers), start due rotations and replacements,
 * carry ready rotations forward, check restrictions upstream, and book a run for the next drain end.
 */
@Injectable()
export class RotationSweep {
  private readonly logger = new Logger(RotationSweep.name);

  constructor(
    private readonly overdueKeys: OverdueKeys,
    private readonly due: DueRotations,
    private readonly rotator: KeyRotator,
    private readonly drift: RestrictionDrift,
    private readonly leases: RotationLeases,
    private readonly trigger: RotationTrigger,
  ) {}

  /** `full: false` (a rotate-now run) skips the overdue flags and the drift check. */
  async sweep(full = true): Promise<SweepResult> {
    const overdue = full ? await this.overdueKeys.sweep() : { overdue: 0, newlyFlagged: [] };
    if (overdue.newlyFlagged.length)
      this.logger.warn(`${overdue.newlyFlagged.length} upstream key(s) newly overdue for rotation`);
    const started = await this.due.start();
    const run = await this.rotator.runReady();
    const drift = full ? await this.drift.check() : undefined;
    await this.trigger.wakeAt(await this.leases.nextWake());
    return { overdue: overdue.overdue, newlyFlagged: overdue.newlyFlagged.length, started, run, drift };
  }
}
