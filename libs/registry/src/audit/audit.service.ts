import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import { AuditLogEntity } from '@keyfleet/persistence';
import type { AuditQuery } from './audit-input';

export interface AuditEntry {
  /** `admin`, `rotator`, `worker`, `api`, or `client:<id>`. */
  actor: string;
  /** `<target type>.<what happened>`, e.g. `upstream_key.disabled`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Never a secret: fingerprints (prefixes) and last fours only. */
  details?: Record<string, unknown>;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `before` to read the next (older) page; null when there is none. */
  nextBefore: string | null;
}

/** The append-only audit log. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLogEntity) private readonly log: Repository<AuditLogEntity>) {}

  /** Writes one entry; pass the transaction's manager so the entry commits with the change it records. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const repository = manager ? manager.getRepository(AuditLogEntity) : this.log;
    await repository.save(
      repository.create({
        actor: entry.actor,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        details: entry.details ?? {},
      }),
    );
  }

  /** Newest first. */
  async list(query: Partial<AuditQuery> = {}): Promise<AuditPage> {
    const limit = query.limit ?? 50;
    const where: FindOptionsWhere<AuditLogEntity> = {};
    if (query.before) where.id = LessThan(query.before);
    if (query.targetType) where.targetType = query.targetType;
    if (query.targetId) where.targetId = query.targetId;
    if (query.action) where.action = query.action;
    const rows = await this.log.find({ where, order: { id: 'DESC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      entries: page.map(toAuditView),
      nextBefore: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}

function toAuditView(row: AuditLogEntity): AuditEntryView {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    details: row.details,
  };
}
