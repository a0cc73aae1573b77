import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  LessThanOrEqual,
  type DataSource,
  type EntityManager,
  type FindOptionsWhere,
  type Repository,
} from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { UpstreamKeyEntity, type UpstreamKeyStatus } from '@keyfleet/persistence';
import { fingerprint, lastFour } from '@keyfleet/secrets';
import { AuditService } from '../audit/audit.service';
import { ProjectsService } from '../projects/projects.service';
import { isUniqueViolation } from '../shared/db-errors';
import { isUuid } from '../shared/ids';
import { RegistryEvents } from '../shared/registry-events';
import { SecretVault } from '../shared/secret-vault';
import { drawRotationDueAt } from './rotation-due';
import { RotationRequests } from './rotation-requests';
import type { ListUpstreamKeysQuery } from './upstream-key-input';
import {
  keyTypeOf,
  shortFingerprint,
  toUpstreamKeyView,
  type UpstreamKeyType,
  type UpstreamKeyView,
} from './upstream-key-view';

const DAY_MS = 86_400_000;

export interface AddKeyOptions {
  /** The key's resource name at the API Keys API, when an issuer made it. */
  upstreamName?: string | null;
  /** Audit details to add (e.g. `{ rotationOf: <old key id> }`). */
  details?: Record<string, unknown>;
}

export interface StatusChange {
  to: UpstreamKeyStatus;
  /** Only keys currently in one of these statuses change; others are left alone (idempotence). */
  from: readonly UpstreamKeyStatus[];
  reason: string;
  actor: string;
  action: string;
}

/** Upstream (Google) API keys: stored encrypted, shown by fingerprint and last four only. */
@Injectable()
export class UpstreamKeysService {
  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(UpstreamKeyEntity) private readonly keys: Repository<UpstreamKeyEntity>,
    private readonly projects: ProjectsService,
    private readonly vault: SecretVault,
    private readonly audit: AuditService,
    private readonly events: RegistryEvents,
    private readonly rotations: RotationRequests,
  ) {}

  /** Registers a key of a project as active; 409 if this secret is already registered. */
  async add(
    projectId: string,
    secret: string,
    actor: string,
    options: AddKeyOptions = {},
  ): Promise<UpstreamKeyView> {
    await this.projects.findEntity(projectId);
    const key = await this.transaction((manager) =>
      this.insertKey(manager, projectId, secret, actor, options),
    );
    return this.get(key.id);
  }

  /** Inside a caller's transaction (e.g. a rotation): insert the key and audit it. */
  async insertKey(
    manager: EntityManager,
    projectId: string,
    secret: string,
    actor: string,
    options: AddKeyOptions = {},
  ): Promise<UpstreamKeyEntity> {
    const issuedAt = new Date();
    const row = manager.getRepository(UpstreamKeyEntity).create({
      id: randomUUID(),
      projectId,
      status: 'active',
      secretCiphertext: this.vault.encrypt(secret),
      masterKeyId: this.vault.keyId,
      fingerprint: fingerprint(secret),
      lastFour: lastFour(secret),
      issuedAt,
      rotationDueAt: drawRotationDueAt(issuedAt, this.config.rotation),
      upstreamName: options.upstreamName ?? null,
    });
    try {
      // A savepoint, so a duplicate does not poison the caller's transaction before we translate it.
      await manager.transaction((inner) => inner.getRepository(UpstreamKeyEntity).insert(row));
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_upstream_keys_fingerprint')) {
        throw new KeyfleetError(
          ErrorCode.AlreadyExists,
          `this key is already registered (fingerprint ${shortFingerprint(row.fingerprint)})`,
        );
      }
      throw error;
    }
    await this.audit.record(
      {
        actor,
        action: 'upstream_key.added',
        targetType: 'upstream_key',
        targetId: row.id,
        details: {
          projectId,
          fingerprint: shortFingerprint(row.fingerprint),
          lastFour: row.lastFour,
          ...options.details,
        },
      },
      manager,
    );
    return row;
  }

  async list(query: ListUpstreamKeysQuery = {}): Promise<UpstreamKeyView[]> {
    const where: FindOptionsWhere<UpstreamKeyEntity> = {};
    if (query.projectId) where.projectId = query.projectId;
    if (query.status) where.status = query.status;
    if (query.due !== undefined) {
      where.rotationDueAt = LessThanOrEqual(new Date(Date.now() + query.due * DAY_MS));
      // "Due" is about keys still in service, unless a status was asked for explicitly.
      where.status = query.status ?? 'active';
    }
    const now = new Date();
    const rows = await this.keys.find({ where, order: { rotationDueAt: 'ASC', id: 'ASC' } });
    const types = await this.typesOf(rows.map((row) => row.id));
    return rows.map((row) => toUpstreamKeyView(row, types.get(row.id) ?? 'standard', now));
  }

  async get(id: string): Promise<UpstreamKeyView> {
    const key = await this.findEntity(id);
    return toUpstreamKeyView(key, (await this.typesOf([key.id])).get(key.id) ?? 'standard');
  }

  /** Key types by id, from the decrypted secrets' prefixes (never kept, never shown). */
  async typesOf(ids: string[]): Promise<Map<string, UpstreamKeyType>> {
    const types = new Map<string, UpstreamKeyType>();
    if (ids.length === 0) return types;
    const rows = await this.keys
      .createQueryBuilder('key')
      .select(['key.id', 'key.masterKeyId'])
      .addSelect('key.secretCiphertext')
      .where('key.id IN (:...ids)', { ids })
      .getMany();
    for (const row of rows) {
      try {
        types.set(row.id, keyTypeOf(this.decryptSecret(row)));
      } catch {
        // A secret sealed with a master key no longer configured: its type is unknown, shown as standard.
      }
    }
    return types;
  }

  /** The key row (without its ciphertext), or 404 NOT_FOUND. */
  async findEntity(id: string): Promise<UpstreamKeyEntity> {
    const key = isUuid(id) ? await this.keys.findOneBy({ id }) : null;
    if (!key) throw KeyfleetError.notFound(`upstream key ${id} not found`);
    return key;
  }

  /** Admin revoke: the key is never used again. Idempotent. */
  async revoke(id: string, actor: string, reason = 'revoked by admin'): Promise<UpstreamKeyView> {
    await this.findEntity(id);
    await this.changeStatus(id, {
      to: 'revoked',
      from: ['active', 'retiring', 'disabled'],
      reason,
      actor,
      action: 'upstream_key.revoked',
    });
    return this.get(id);
  }

  /**
   * An upstream error showed the key is unusable (invalid, blocked, leaked): stop using it now, and
   * ask the rotator for a replacement through the project's issuer (no admin needed). Idempotent.
   */
  async takeOutOfService(keyId: string, reason: string, actor: string): Promise<void> {
    const changed = await this.changeStatus(keyId, {
      to: 'disabled',
      from: ['active', 'retiring'],
      reason,
      actor,
      action: 'upstream_key.disabled',
    });
    if (changed) await this.rotations.request(keyId, 'emergency', actor);
  }

  /**
   * Moves a key to another status if it is in one of `from` (in one conditional UPDATE, so racing
   * callers change it once), audits the change and drops the pool cache. Returns whether it changed.
   */
  async changeStatus(keyId: string, change: StatusChange, manager?: EntityManager): Promise<boolean> {
    if (!isUuid(keyId)) return false;
    const run = async (tx: EntityManager): Promise<boolean> => {
      const result = await tx
        .createQueryBuilder()
        .update(UpstreamKeyEntity)
        .set({ status: change.to, statusReason: change.reason.slice(0, 200), statusChangedAt: () => 'now()' })
        .where('id = :keyId AND status IN (:...from)', { keyId, from: change.from })
        .returning('fingerprint, last_four, project_id')
        .execute();
      const changed = result.raw as Array<{ fingerprint: string; last_four: string; project_id: string }>;
      if (changed.length === 0) return false;
      const row = changed[0];
      await this.audit.record(
        {
          actor: change.actor,
          action: change.action,
          targetType: 'upstream_key',
          targetId: keyId,
          details: {
            projectId: row.project_id,
            fingerprint: shortFingerprint(row.fingerprint),
            lastFour: row.last_four,
            status: change.to,
            reason: change.reason.slice(0, 200),
          },
        },
        tx,
      );
      return true;
    };
    const changed = manager ? await run(manager) : await this.dataSource.transaction(run);
    if (changed && !manager) this.events.changed();
    return changed;
  }

  /** The key's secret in clear. For the pool (which sends requests) only: never log or return it. */
  decryptSecret(key: Pick<UpstreamKeyEntity, 'secretCiphertext' | 'masterKeyId'>): string {
    return this.vault.decrypt(key.secretCiphertext, key.masterKeyId);
  }

  /** Runs work in a transaction, then tells the pool the registry changed. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.events.changed();
    return result;
  }
}
