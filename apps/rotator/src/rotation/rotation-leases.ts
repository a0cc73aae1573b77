import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyRotationEntity } from '@keyfleet/persistence';

/** Long enough for one step (an upstream create with its operation polls); renewed per step. */
export const LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Who works on which rotation: a rotator claims a ready rotation with one conditional UPDATE (a lease),
 * so two rotators never run the same rotation at once; a crashed rotator's lease simply runs out.
 */
@Injectable()
export class RotationLeases {
  /** This process' name in `lease_owner`. */
  readonly owner = `rotator-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectRepository(KeyRotationEntity) private readonly rotations: Repository<KeyRotationEntity>,
  ) {}

  /** Ids of unfinished rotations whose step may run now, oldest first. */
  async ready(limit = 100): Promise<string[]> {
    const rows = await this.rotations
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where("r.step NOT IN ('done', 'stopped') AND r.next_attempt_at <= now()")
      .andWhere('(r.lease_until IS NULL OR r.lease_until < now())')
      .orderBy('r.next_attempt_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /** Takes (or renews) the lease if the rotation is ready and free; the rotation as claimed, or null. */
  async claim(id: string): Promise<KeyRotationEntity | null> {
    const result = await this.rotations
      .createQueryBuilder()
      .update()
      .set({ leaseOwner: this.owner, leaseUntil: () => `now() + interval '${LEASE_MS} milliseconds'` })
      .where("id = :id AND step NOT IN ('done', 'stopped') AND next_attempt_at <= now()", { id })
      .andWhere('(lease_until IS NULL OR lease_until < now() OR lease_owner = :owner)', { owner: this.owner })
      .execute();
    if (!result.affected) return null;
    return this.rotations.findOneBy({ id });
  }

  async release(id: string): Promise<void> {
    await this.rotations.update({ id, leaseOwner: this.owner }, { leaseOwner: null, leaseUntil: null });
  }

  /** Records a failed step: retried after a doubling backoff (capped at an hour). Returns the delay. */
  async failed(rotation: KeyRotationEntity, message: string): Promise<number> {
    const failures = rotation.failures + 1;
    const delayMs = Math.min(this.config.rotation.retrySeconds * 1000 * 2 ** (failures - 1), MAX_BACKOFF_MS);
    await this.rotations.update(
      { id: rotation.id, leaseOwner: this.owner },
      {
        failures,
        lastError: message.slice(0, 300),
        nextAttemptAt: new Date(Date.now() + delayMs),
        leaseOwner: null,
        leaseUntil: null,
      },
    );
    return delayMs;
  }

  /**
   * Stops a rotation for good (its replacement kept failing its proof): it leaves the ready set, and
   * the key keeps its rotation row, so nothing requests another replacement until an admin does.
   */
  async stop(rotation: KeyRotationEntity, message: string): Promise<boolean> {
    const result = await this.rotations.update(
      { id: rotation.id, leaseOwner: this.owner, step: rotation.step },
      {
        step: 'stopped',
        failures: rotation.failures + 1,
        lastError: message.slice(0, 300),
        leaseOwner: null,
        leaseUntil: null,
      },
    );
    return Boolean(result.affected);
  }

  /** When the earliest unfinished rotation may run next, or null if none is waiting. */
  async nextWake(): Promise<Date | null> {
    const row = await this.rotations
      .createQueryBuilder('r')
      .select('min(r.next_attempt_at)', 'at')
      .where("r.step NOT IN ('done', 'stopped')")
      .getRawOne<{ at: Date | null }>();
    return row?.at ? new Date(row.at) : null;
  }
}
