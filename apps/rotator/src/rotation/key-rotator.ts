import { Inject, Injectable, Logger } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { AuditService } from '@keyfleet/registry';
import { rotationAuditEntry } from './rotation-audit';
import type { KeyRotationEntity } from '@keyfleet/persistence';
import { KeyProofError } from './key-proof';
import { RotationLeases } from './rotation-leases';
import { rotationMetrics } from './rotation-metrics';
import { RotationSteps } from './rotation-steps';

export interface RunSummary {
  /** Steps that moved a rotation on. */
  steps: number;
  completed: number;
  failed: number;
}

/** Carries ready rotations forward, step by step, under a lease; a failed step is retried later. */
@Injectable()
export class KeyRotator {
  private readonly logger = new Logger(KeyRotator.name);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    private readonly leases: RotationLeases,
    private readonly steps: RotationSteps,
    private readonly audit: AuditService,
  ) {}

  /** Every rotation whose step may run now, each as far as it can go (until a drain or a failure). */
  async runReady(): Promise<RunSummary> {
    const summary: RunSummary = { steps: 0, completed: 0, failed: 0 };
    for (const id of await this.leases.ready()) {
      const result = await this.advance(id, Number.POSITIVE_INFINITY);
      summary.steps += result.steps;
      summary.completed += result.completed;
      summary.failed += result.failed;
    }
    return summary;
  }

  /** At most `maxSteps` steps of one rotation (tests run one step at a time to play a crash between steps). */
  async advance(id: string, maxSteps = 1): Promise<RunSummary> {
    const summary: RunSummary = { steps: 0, completed: 0, failed: 0 };
    let rotation = await this.leases.claim(id);
    if (!rotation) return summary;
    try {
      while (summary.steps < maxSteps && isRunnable(rotation)) {
        rotation = await this.steps.run(rotation);
        summary.steps++;
      }
      if (rotation.step === 'done') {
        summary.completed++;
        rotationMetrics.completed.inc();
      }
    } catch (error) {
      summary.failed++;
      await this.reportFailure(rotation, error);
    } finally {
      await this.leases.release(id);
    }
    return summary;
  }

  private async reportFailure(rotation: KeyRotationEntity, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof KeyProofError) {
      rotationMetrics.proofFailures.inc();
      // Never an endless run of new keys: after a few failed proofs the rotation stops and says so.
      if (rotation.failures + 1 >= this.config.rotation.maxProofFailures) return this.stop(rotation, message);
    }
    const delayMs = await this.leases.failed(rotation, message);
    rotationMetrics.failures.inc();
    this.logger.warn(
      `rotation ${rotation.id} (key ${rotation.oldKeyId}) failed at ${rotation.step}: ${message}; retry in ${Math.round(delayMs / 1000)} s`,
    );
    await this.audit.record({
      actor: 'rotator',
      action: 'key_rotation.failed',
      targetType: 'upstream_key',
      targetId: rotation.oldKeyId,
      details: {
        rotationId: rotation.id,
        step: rotation.step,
        failures: rotation.failures + 1,
        error: message.slice(0, 300),
        retryInSeconds: Math.round(delayMs / 1000),
      },
    });
  }

  /** The alert: an audit entry, a counter and an error line. The old key is left as it is. */
  private async stop(rotation: KeyRotationEntity, message: string): Promise<void> {
    if (!(await this.leases.stop(rotation, message))) return;
    rotationMetrics.stopped.inc();
    const failures = rotation.failures + 1;
    this.logger.error(
      `rotation ${rotation.id} (key ${rotation.oldKeyId}) STOPPED after ${failures} failed proofs: ${message}; the old key is left as it is, an admin must act (rotate or migrate again)`,
    );
    const abandoned = await this.steps.abandonReplacement(rotation).then(
      () => true,
      (error: Error) => {
        this.logger.warn(
          `rotation ${rotation.id}: could not delete its unproven key upstream: ${error.message}`,
        );
        return false;
      },
    );
    await this.audit.record(
      rotationAuditEntry(rotation, 'key_rotation.stopped', {
        failures,
        error: message.slice(0, 300),
        unprovenKeyDeleted: abandoned,
      }),
    );
  }
}

function isRunnable(rotation: KeyRotationEntity): boolean {
  return rotation.step !== 'done' && rotation.nextAttemptAt.getTime() <= Date.now();
}
