// The simulator's mutable state: config, key index, enforcement windows, stats. Admin calls change it.
import type {
  ResolvedSimConfig,
  ResolvedSimFaults,
  ResolvedSimKey,
  ResolvedSimKeyPolicy,
  ResolvedSimProject,
  SimAddKeyRequest,
  SimKeyPatch,
} from '@keyfleet/testing';
import { BatchJobStore } from './batch/batch-jobs';
import { FileStore } from './files/file-store';
import { PacificDayClock } from './quota/pacific-day';
import { SpendTracker } from './quota/spend-tracker';
import { WindowTracker } from './quota/window-tracker';
import { SimStatsRecorder } from './stats';

/** An admin request that conflicts with the state (unknown project, duplicate key…). */
export class SimAdminError extends Error {
  override readonly name = 'SimAdminError';
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface KeyEntry {
  project: ResolvedSimProject;
  spec: ResolvedSimKey;
  /** Kept for keys made through the API Keys API (which restricts services and sets the start time). */
  issued?: IssuedKeyFacts;
}

export interface IssuedKeyFacts {
  /** The key answers 401 before this time (epoch ms on the simulator's clock): propagation. */
  workingFrom: number;
  /** The key has API targets (a restricted key even without allowedIps). */
  apiTargets: boolean;
}

// Keys are fake but still never echoed: admin errors name a key by its last four characters.
const keyLabel = (key: string) => `…${key.slice(-4)}`;

export class SimState {
  readonly days = new PacificDayClock();
  readonly stats = new SimStatsRecorder(this.days);
  private current!: ResolvedSimConfig;
  private keys = new Map<string, KeyEntry>();
  private windows = new Map<string, WindowTracker>();
  private spend = new Map<string, SpendTracker>();
  private models = new Set<string>();
  /** Batch Mode jobs and the Files API's files, per project. */
  batches = new BatchJobStore();
  files = new FileStore();

  constructor(config: ResolvedSimConfig) {
    this.replaceConfig(config);
  }

  get config(): ResolvedSimConfig {
    return this.current;
  }

  /** Models that any project has limits for. */
  get configuredModels(): ReadonlySet<string> {
    return this.models;
  }

  /** Replaces everything and starts windows and stats afresh. */
  replaceConfig(config: ResolvedSimConfig): void {
    this.current = { ...config, projects: [] };
    this.keys = new Map();
    this.windows = new Map();
    this.spend = new Map();
    this.models = new Set();
    this.batches = new BatchJobStore();
    this.files = new FileStore();
    this.stats.reset();
    for (const project of config.projects) this.addProject(project);
  }

  addProject(project: ResolvedSimProject): void {
    if (this.current.projects.some((p) => p.id === project.id)) {
      throw new SimAdminError(409, `project ${project.id} already exists`);
    }
    const duplicate = project.keys.find((k) => this.keys.has(k.key));
    if (duplicate) throw new SimAdminError(409, `key ${keyLabel(duplicate.key)} already exists`);
    this.current.projects.push(project);
    for (const spec of project.keys) this.keys.set(spec.key, { project, spec });
    this.registerModels(project);
  }

  addKey(request: SimAddKeyRequest & ResolvedSimKey, issued?: IssuedKeyFacts): void {
    const project = this.current.projects.find((p) => p.id === request.projectId);
    if (!project) throw new SimAdminError(404, `project ${request.projectId} not found`);
    if (this.keys.has(request.key))
      throw new SimAdminError(409, `key ${keyLabel(request.key)} already exists`);
    const spec: ResolvedSimKey = { key: request.key, status: request.status, allowedIps: request.allowedIps };
    project.keys.push(spec);
    this.keys.set(spec.key, { project, spec, ...(issued ? { issued } : {}) });
  }

  patchKey(key: string, patch: SimKeyPatch): ResolvedSimKey {
    const entry = this.requireKey(key);
    if (patch.status) entry.spec.status = patch.status;
    if (patch.allowedIps !== undefined) entry.spec.allowedIps = patch.allowedIps ?? [];
    return entry.spec;
  }

  deleteKey(key: string): void {
    const entry = this.requireKey(key);
    entry.project.keys = entry.project.keys.filter((spec) => spec !== entry.spec);
    this.keys.delete(key);
  }

  setFaults(faults: ResolvedSimFaults): void {
    this.current.faults = faults;
  }

  setKeyPolicy(policy: ResolvedSimKeyPolicy): void {
    this.current.keyPolicy = policy;
  }

  resetStats(): void {
    this.stats.reset();
    for (const project of this.current.projects) this.registerModels(project);
  }

  findKey(key: string): KeyEntry | undefined {
    return this.keys.get(key);
  }

  /** The enforcement windows of one project+model. */
  /** The spend window of a billing account (a project without one is its own account). */
  spendFor(account: string): SpendTracker {
    let tracker = this.spend.get(account);
    if (!tracker) this.spend.set(account, (tracker = new SpendTracker(this.current.spendWindowMs)));
    return tracker;
  }

  /** Its billing account and that account's spend limit in micro-dollars (the smallest of its projects'). */
  spendAccountOf(project: ResolvedSimProject): { account: string; limitMicros: number | null } {
    const account = project.billingAccount ?? project.id;
    let limitUsd: number | undefined;
    for (const p of this.current.projects) {
      if ((p.billingAccount ?? p.id) !== account || p.spendLimitUsd === undefined) continue;
      limitUsd = Math.min(limitUsd ?? p.spendLimitUsd, p.spendLimitUsd);
    }
    return { account, limitMicros: limitUsd === undefined ? null : Math.round(limitUsd * 1_000_000) };
  }

  /** Records spend admitted for a project's billing account at `now`. */
  recordSpend(project: ResolvedSimProject, now: number, micros: number): void {
    const { account, limitMicros } = this.spendAccountOf(project);
    const spend = this.spendFor(account);
    spend.advance(now);
    spend.record(now, micros);
    this.stats.spendAdmitted(account, limitMicros, micros, spend.used);
  }

  projectById(projectId: string): ResolvedSimProject | undefined {
    return this.current.projects.find((p) => p.id === projectId);
  }

  windowsFor(projectId: string, model: string): WindowTracker {
    const id = `${projectId}\u0000${model}`;
    let windows = this.windows.get(id);
    if (!windows) this.windows.set(id, (windows = new WindowTracker(this.days)));
    return windows;
  }

  private requireKey(key: string): KeyEntry {
    const entry = this.keys.get(key);
    if (!entry) throw new SimAdminError(404, `key ${keyLabel(key)} not found`);
    return entry;
  }

  private registerModels(project: ResolvedSimProject): void {
    for (const [model, limits] of Object.entries(project.limits)) {
      this.models.add(model);
      this.stats.register(project.id, model, limits);
    }
  }
}
