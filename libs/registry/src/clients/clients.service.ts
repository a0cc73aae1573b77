import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { ClientEntity, ClientKeyEntity } from '@keyfleet/persistence';
import { generateClientKey, hashClientKey, lastFour, looksLikeClientKey } from '@keyfleet/secrets';
import { AuditService } from '../audit/audit.service';
import { CidrList } from '../net/cidr';
import { isUuid } from '../shared/ids';
import {
  DEFAULT_KEY_OVERLAP_SECONDS,
  type CreateClientInput,
  type RotateClientKeyInput,
  type UpdateClientInput,
} from './client-input';
import { toClientView, type AuthenticatedClient, type ClientView, type IssuedClientKey } from './client-view';

export interface RotatedClientKey extends IssuedClientKey {
  /** When the keys that worked before stop working. */
  previousKeysExpireAt: string;
}

/** Clients (teams, apps) and their keys: stored as hashes only, shown once. */
@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    @InjectRepository(ClientKeyEntity) private readonly keys: Repository<ClientKeyEntity>,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateClientInput, actor: string): Promise<IssuedClientKey> {
    const allowedIps = normalizedAllowlist(input.allowedIps);
    const { clientId, key } = await this.dataSource.transaction(async (manager) => {
      const client = await manager.getRepository(ClientEntity).save({
        name: input.name,
        allowedIps,
        weight: input.weight ?? 1,
        budget: input.budget ?? null,
        deletedAt: null,
      });
      const issued = await issueKey(manager, client.id);
      await this.audit.record(
        {
          actor,
          action: 'client.created',
          targetType: 'client',
          targetId: client.id,
          details: {
            name: client.name,
            allowedIps,
            weight: client.weight,
            budget: client.budget,
            keyLastFour: lastFour(issued),
          },
        },
        manager,
      );
      return { clientId: client.id, key: issued };
    });
    return { client: await this.get(clientId), key };
  }

  async list(): Promise<ClientView[]> {
    const clients = await this.clients.find({
      where: { deletedAt: IsNull() },
      order: { name: 'ASC', id: 'ASC' },
    });
    if (clients.length === 0) return [];
    const keys = await this.keys.find({ where: { clientId: In(clients.map((client) => client.id)) } });
    const now = new Date();
    return clients.map((client) =>
      toClientView(
        client,
        keys.filter((key) => key.clientId === client.id),
        now,
      ),
    );
  }

  async get(id: string): Promise<ClientView> {
    const client = await this.findLive(id);
    return toClientView(client, await this.keys.findBy({ clientId: client.id }));
  }

  async update(id: string, input: UpdateClientInput, actor: string): Promise<ClientView> {
    const client = await this.findLive(id);
    if (input.name !== undefined) client.name = input.name;
    if (input.allowedIps !== undefined) client.allowedIps = normalizedAllowlist(input.allowedIps);
    if (input.weight !== undefined) client.weight = input.weight;
    if (input.budget !== undefined) client.budget = input.budget;
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ClientEntity).save(client);
      await this.audit.record(
        {
          actor,
          action: 'client.updated',
          targetType: 'client',
          targetId: id,
          details: {
            name: client.name,
            allowedIps: client.allowedIps,
            weight: client.weight,
            budget: client.budget,
          },
        },
        manager,
      );
    });
    return this.get(id);
  }

  /** Issues a new key; the keys valid now keep working for `overlapSeconds` (default 3600), then stop. */
  async rotateKey(
    id: string,
    input: Partial<RotateClientKeyInput>,
    actor: string,
  ): Promise<RotatedClientKey> {
    await this.findLive(id);
    const overlapSeconds = input.overlapSeconds ?? DEFAULT_KEY_OVERLAP_SECONDS;
    const { key, expireAt } = await this.dataSource.transaction(async (manager) => {
      const [{ expire_at }] = await manager.query<[{ expire_at: Date }]>(
        'SELECT now() + make_interval(secs => $1) AS expire_at',
        [overlapSeconds],
      );
      await manager
        .createQueryBuilder()
        .update(ClientKeyEntity)
        .set({ expiresAt: () => 'LEAST(COALESCE(expires_at, :expireAt), :expireAt)' })
        .setParameter('expireAt', expire_at)
        .where('client_id = :id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())', {
          id,
        })
        .execute();
      const issued = await issueKey(manager, id);
      await this.audit.record(
        {
          actor,
          action: 'client.key_rotated',
          targetType: 'client',
          targetId: id,
          details: {
            keyLastFour: lastFour(issued),
            overlapSeconds,
            previousKeysExpireAt: expire_at.toISOString(),
          },
        },
        manager,
      );
      return { key: issued, expireAt: expire_at };
    });
    return { client: await this.get(id), key, previousKeysExpireAt: expireAt.toISOString() };
  }

  /** Soft delete: the client disappears from lists and every key of it stops working at once. */
  async delete(id: string, actor: string): Promise<ClientView> {
    const client = await this.findLive(id);
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ClientEntity).update({ id }, { deletedAt: () => 'now()' });
      await manager
        .getRepository(ClientKeyEntity)
        .update({ clientId: id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      await this.audit.record(
        {
          actor,
          action: 'client.deleted',
          targetType: 'client',
          targetId: id,
          details: { name: client.name },
        },
        manager,
      );
    });
    const deleted = await this.clients.findOneByOrFail({ id });
    return toClientView(deleted, []);
  }

  /** The client a raw key belongs to, if the key is known, not revoked, not expired and the client not deleted. */
  async authenticate(rawKey: string): Promise<AuthenticatedClient | null> {
    if (!looksLikeClientKey(rawKey)) return null;
    const hash = hashClientKey(rawKey);
    return (await this.authenticateHashes([hash])).get(hash) ?? null;
  }

  /** authenticate() for many keys in one query, by the hashes stored for them: the valid ones, by hash. */
  async authenticateHashes(hashes: string[]): Promise<Map<string, AuthenticatedClient>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.keys
      .createQueryBuilder('key')
      .innerJoin(ClientEntity, 'client', 'client.id = key.client_id')
      .select([
        'key.key_hash AS "keyHash"',
        'client.id AS "clientId"',
        'client.name AS "name"',
        'client.allowed_ips AS "allowedIps"',
        'client.budget AS "budget"',
        'key.expires_at AS "keyExpiresAt"',
      ])
      .where('key.key_hash IN (:...hashes)', { hashes })
      .andWhere('key.revoked_at IS NULL')
      .andWhere('(key.expires_at IS NULL OR key.expires_at > now())')
      .andWhere('client.deleted_at IS NULL')
      .getRawMany<AuthenticatedClient & { keyHash: string }>();
    return new Map(rows.map(({ keyHash, ...client }) => [keyHash, client]));
  }

  private async findLive(id: string): Promise<ClientEntity> {
    const client = isUuid(id) ? await this.clients.findOneBy({ id, deletedAt: IsNull() }) : null;
    if (!client) throw KeyfleetError.notFound(`client ${id} not found`);
    return client;
  }
}

async function issueKey(manager: EntityManager, clientId: string): Promise<string> {
  const key = generateClientKey();
  await manager
    .getRepository(ClientKeyEntity)
    .insert({ clientId, keyHash: hashClientKey(key), lastFour: lastFour(key) });
  return key;
}

/** Services may be called without the HTTP schemas: validate and normalise here too. */
function normalizedAllowlist(entries: readonly string[]): string[] {
  try {
    return [...new Set(CidrList.parse(entries).entries)];
  } catch (error) {
    throw KeyfleetError.invalid(`allowedIps: ${(error as Error).message}`);
  }
}
