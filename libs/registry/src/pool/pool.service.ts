import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { isDatabaseUnavailable } from '@keyfleet/errors';
import {
  ModelPriceEntity,
  ProjectEntity,
  ProjectModelLimitEntity,
  UpstreamKeyEntity,
} from '@keyfleet/persistence';
import { UpstreamKeysService } from '../keys/upstream-keys.service';
import { shortFingerprint } from '../keys/upstream-key-view';
import { effectiveLimits, type ModelLimits } from '../limits/model-limits';
import { effectiveSpendLimitUsd, SHIPPED_MODEL_PRICES, type ShippedModelPrice } from '../limits/model-prices';
import { CidrList } from '../net/cidr';
import { CLOCK, systemClock, type Clock } from '../shared/clock';
import { DatabaseOutage } from '../shared/database-outage';
import { KEEP_WARM_CHECK_MS, KEEP_WARM_FOR_MS, KeepWarm } from '../shared/keep-warm';
import { RegistryEvents } from '../shared/registry-events';

/** A usable key of a pool project, with its secret decrypted (never log it). */
export interface PoolKey {
  id: string;
  projectId: string;
  secret: string;
  lastFour: string;
  /** Full sha256 hex of the secret. */
  fingerprint: string;
}

export interface PoolProject {
  projectId: string;
  name: string;
  limits: ModelLimits;
  keys: PoolKey[];
  /** Micro-dollars per spend window (its billing group's when it has one); null = no spend limit. */
  spendLimit: number | null;
  /** Where its spend is counted: `g:<billing group>` or `p:<projectId>`. */
  spendScope: string;
}

/**
 * How long another process' change may go unseen here (a disabled key stops being used within this)
 * when changes are not pushed: without Redis, or while its subscription is down.
 */
export const POOL_CACHE_MS = 2_000;
/** With changes pushed over Redis (RegistryEvents), the snapshot is re-read this often only as a backstop. */
export const POOL_CACHE_PUSHED_MS = 60_000;
// A snapshot in use is re-read this long before it expires.
const REFRESH_AHEAD_MARGIN_MS = 500;
/**
 * While Postgres cannot be reached, the last pool read is served for up to this long, so interactive
 * calls keep working through an outage (nobody can change the registry meanwhile: that needs Postgres).
 */
export const POOL_STALE_MAX_MS = 15 * 60_000;

interface Snapshot {
  loadedAt: number;
  byModel: Map<string, PoolProject[]>;
  /** The shipped prices with the admin's overrides. */
  prices: Map<string, ShippedModelPrice>;
}

/**
 * The projects and active keys requests may go through, per model; cached briefly in memory. When a
 * read fails because Postgres is unreachable, the last good read is served (up to POOL_STALE_MAX_MS)
 * and keys taken out of service meanwhile (withhold) are left out of it.
 */
@Injectable()
export class PoolService implements OnModuleDestroy {
  private readonly logger = new Logger(PoolService.name);
  private snapshot: Snapshot | null = null;
  /** The last snapshot read, kept when a change drops `snapshot`: what an outage is served from. */
  private lastGood: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private generation = 0;
  private readonly withheld = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly warm: KeepWarm;
  private readonly outage: DatabaseOutage;

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
    @InjectRepository(ProjectModelLimitEntity) private readonly limits: Repository<ProjectModelLimitEntity>,
    @InjectRepository(UpstreamKeyEntity) private readonly keys: Repository<UpstreamKeyEntity>,
    @InjectRepository(ModelPriceEntity) private readonly prices: Repository<ModelPriceEntity>,
    private readonly upstreamKeys: UpstreamKeysService,
    private readonly events: RegistryEvents,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.unsubscribe = events.onChange(() => this.invalidate());
    this.warm = new KeepWarm(KEEP_WARM_CHECK_MS, KEEP_WARM_FOR_MS, () => this.refreshAhead(), clock);
    this.outage = new DatabaseOutage(clock, this.logger, 'serving the last pool read');
  }

  /** Projects that serve the model and have at least one active key, ordered by name. */
  async poolFor(model: string): Promise<PoolProject[]> {
    const snapshot = await this.current();
    return this.withoutWithheld(snapshot.byModel.get(model) ?? []);
  }

  /** The model's price (an admin's override, else the shipped list price), or null when unknown. */
  async priceOf(model: string): Promise<ShippedModelPrice | null> {
    const snapshot = await this.current();
    return snapshot.prices.get(model) ?? null;
  }

  /** Models with at least one usable project. */
  async servedModels(): Promise<string[]> {
    const snapshot = await this.current();
    return [...snapshot.byModel.entries()]
      .filter(([, projects]) => this.withoutWithheld(projects).length > 0)
      .map(([model]) => model)
      .sort();
  }

  /** Drops the cached pool; the next call reads Postgres again. */
  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loading = null;
  }

  /**
   * Stops offering a key at once, before Postgres has recorded it (it may be unreachable): until
   * `release`, the key is left out of every answer, a stale one included.
   */
  withhold(keyId: string): void {
    this.withheld.add(keyId);
  }

  /** Its status is in Postgres now (disabled): a fresh read leaves it out by itself. */
  release(keyId: string): void {
    this.withheld.delete(keyId);
    this.invalidate();
  }

  /** Resolves when no read is in flight (for specs that move a manual clock on). */
  async settled(): Promise<void> {
    await this.loading?.catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.warm.stop();
  }

  private async current(): Promise<Snapshot> {
    const now = this.clock.now();
    this.warm.touch(now);
    const snapshot = this.snapshot;
    // A snapshot in use is re-read ahead of expiry by the keep-warm timer (refreshAhead): callers wait on
    // Postgres only for the first read, or after 5 minutes unused.
    if (snapshot && now - snapshot.loadedAt < this.cacheMs()) return snapshot;
    const stale = this.usableStale(now);
    // A read failed a moment ago: do not make every caller wait for the next one to fail.
    if (stale && this.outage.recent(now)) return stale;
    try {
      return await this.refresh();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.outage.failed(error);
      const fallback = this.usableStale(this.clock.now());
      if (fallback) return fallback;
      throw error;
    }
  }

  private usableStale(now: number): Snapshot | null {
    const last = this.lastGood;
    return last && now - last.loadedAt <= POOL_STALE_MAX_MS ? last : null;
  }

  private withoutWithheld(projects: PoolProject[]): PoolProject[] {
    if (this.withheld.size === 0) return projects;
    return projects
      .map((project) => ({ ...project, keys: project.keys.filter((key) => !this.withheld.has(key.id)) }))
      .filter((project) => project.keys.length > 0);
  }

  private cacheMs(): number {
    return this.events.isLive() ? POOL_CACHE_PUSHED_MS : POOL_CACHE_MS;
  }

  /** From the keep-warm timer: re-reads a snapshot about to expire (or dropped by a change). */
  private refreshAhead(): void {
    const snapshot = this.snapshot;
    if (snapshot && this.clock.now() - snapshot.loadedAt < this.cacheMs() - REFRESH_AHEAD_MARGIN_MS) return;
    this.refresh().catch((error: unknown) => {
      // A failure shows to the next caller that has to wait for it; an outage is noted (and logged once).
      if (isDatabaseUnavailable(error)) this.outage.failed(error);
    });
  }

  private refresh(): Promise<Snapshot> {
    if (!this.loading) {
      const generation = this.generation;
      const loading = this.load().then((snapshot) => {
        this.outage.ended();
        // A change during the load makes this snapshot stale: serve it to its callers, keep none.
        if (generation === this.generation) {
          this.snapshot = snapshot;
          this.lastGood = snapshot;
        }
        return snapshot;
      });
      this.loading = loading;
      void loading
        .finally(() => {
          if (this.loading === loading) this.loading = null;
        })
        .catch(() => undefined);
    }
    return this.loading;
  }

  private async load(): Promise<Snapshot> {
    const loadedAt = this.clock.now();
    const [projects, limits, keys, priceRows] = await Promise.all([
      this.projects.find({ order: { name: 'ASC' } }),
      this.limits.find(),
      this.keys
        .createQueryBuilder('key')
        .addSelect('key.secretCiphertext')
        .where('key.status = :status', { status: 'active' })
        .orderBy('key.issuedAt', 'DESC')
        .getMany(),
      this.prices.find(),
    ]);
    const spend = spendLimits(projects);
    const keysByProject = this.decryptedKeysByProject(keys);
    const byModel = new Map<string, PoolProject[]>();
    for (const project of projects) {
      if (!this.boundHere(project)) continue;
      const projectKeys = keysByProject.get(project.id);
      if (!projectKeys?.length) continue;
      const explicit = limits.filter((limit) => limit.projectId === project.id);
      for (const [model, modelLimits] of Object.entries(effectiveLimits(project, explicit))) {
        const entry = {
          projectId: project.id,
          name: project.name,
          limits: modelLimits,
          keys: projectKeys,
          ...spend(project),
        };
        byModel.set(model, [...(byModel.get(model) ?? []), entry]);
      }
    }
    return { loadedAt, byModel, prices: priceTable(priceRows) };
  }

  /**
   * Whether this process may use the project's keys: they are restricted upstream to the project's
   * egress IPs, so a worker declaring KF_EGRESS_IPS outside them would only get 403s. Without either
   * list there is nothing to compare.
   */
  private boundHere(project: ProjectEntity): boolean {
    const ours = this.config.egressIps;
    if (ours.length === 0 || project.egressIps.length === 0) return true;
    const allowed = CidrList.parse(project.egressIps);
    return ours.every((ip) => allowed.contains(ip));
  }

  private decryptedKeysByProject(keys: UpstreamKeyEntity[]): Map<string, PoolKey[]> {
    const byProject = new Map<string, PoolKey[]>();
    for (const key of keys) {
      let secret: string;
      try {
        secret = this.upstreamKeys.decryptSecret(key);
      } catch {
        // Sealed with a master key this process does not have: skip it rather than fail the pool.
        this.logger.warn(
          `upstream key ${key.id} (fp ${shortFingerprint(key.fingerprint)}) cannot be decrypted; skipped`,
        );
        continue;
      }
      const list = byProject.get(key.projectId) ?? [];
      list.push({
        id: key.id,
        projectId: key.projectId,
        secret,
        lastFour: key.lastFour,
        fingerprint: key.fingerprint,
      });
      byProject.set(key.projectId, list);
    }
    return byProject;
  }
}

function priceTable(overrides: ModelPriceEntity[]): Map<string, ShippedModelPrice> {
  const prices = new Map<string, ShippedModelPrice>(Object.entries(SHIPPED_MODEL_PRICES));
  for (const row of overrides)
    prices.set(row.model, { input: row.inputUsdPerMillion, output: row.outputUsdPerMillion });
  return prices;
}

/**
 * Each project's spend limit (micro-dollars) and scope. Projects of one billing group share one limit:
 * the smallest any of them has (they share one billing account, hence one tier).
 */
function spendLimits(
  projects: ProjectEntity[],
): (p: ProjectEntity) => Pick<PoolProject, 'spendLimit' | 'spendScope'> {
  const groupLimits = new Map<string, number | null>();
  for (const project of projects) {
    if (!project.billingGroup) continue;
    const own = effectiveSpendLimitUsd(project);
    const before = groupLimits.get(project.billingGroup) ?? null;
    groupLimits.set(project.billingGroup, own === null ? before : Math.min(own, before ?? own));
  }
  const micros = (usd: number | null) => (usd === null ? null : Math.round(usd * 1_000_000));
  return (project) =>
    project.billingGroup
      ? {
          spendLimit: micros(groupLimits.get(project.billingGroup) ?? null),
          spendScope: `g:${project.billingGroup}`,
        }
      : { spendLimit: micros(effectiveSpendLimitUsd(project)), spendScope: `p:${project.id}` };
}
