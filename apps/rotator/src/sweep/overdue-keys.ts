import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Gauge, register } from 'prom-client';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { AuditLogEntity, UpstreamKeyEntity } from '@keyfleet/persistence';
import { AuditService } from '@keyfleet/registry';

export const OVERDUE_ACTION = 'upstream_key.overdue';

function overdueGauge(): Gauge {
  const existing = register.getSingleMetric('keyfleet_upstream_keys_overdue');
  return (
    (existing as Gauge | undefined) ??
    new Gauge({
      name: 'keyfleet_upstream_keys_overdue',
      help: 'Active upstream keys past their rotation due date',
    })
  );
}

/**
 * Finds active keys past their rotation due date and flags each once in the audit log (and a gauge).
 * Reissuing them through an issuer is the rotation service's next step; until then an admin rotates
 * them with POST /admin/v1/keys/:id/rotate.
 */
@Injectable()
export class OverdueKeys {
  private readonly gauge = overdueGauge();

  constructor(
    @InjectRepository(UpstreamKeyEntity) private readonly keys: Repository<UpstreamKeyEntity>,
    @InjectRepository(AuditLogEntity) private readonly audit: Repository<AuditLogEntity>,
    private readonly auditService: AuditService,
  ) {}

  async sweep(now = new Date()): Promise<{ overdue: number; newlyFlagged: string[] }> {
    const overdue = await this.keys.find({
      where: { status: 'active', rotationDueAt: LessThanOrEqual(now) },
    });
    this.gauge.set(overdue.length);
    if (overdue.length === 0) return { overdue: 0, newlyFlagged: [] };
    const flagged = await this.audit.find({
      select: { targetId: true },
      where: { action: OVERDUE_ACTION, targetId: In(overdue.map((key) => key.id)) },
    });
    const already = new Set(flagged.map((entry) => entry.targetId));
    const fresh = overdue.filter((key) => !already.has(key.id));
    for (const key of fresh) {
      await this.auditService.record({
        actor: 'rotator',
        action: OVERDUE_ACTION,
        targetType: 'upstream_key',
        targetId: key.id,
        details: {
          projectId: key.projectId,
          lastFour: key.lastFour,
          rotationDueAt: key.rotationDueAt.toISOString(),
        },
      });
    }
    return { overdue: overdue.length, newlyFlagged: fresh.map((key) => key.id) };
  }
}
