import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { QuotaCommands } from './quota-commands';
import { modelBase, rotationKey, spendBase } from './quota-keys';
import { ModelLedger, type ReplayGroup } from './quota-ledger';
import type { Reservation } from './quota-types';

const WATCH_MS = 500;

/**
 * Rebuilds the rolling windows after Redis lost them (FLUSHDB, a restart without persistence), so that
 * nothing is admitted twice and Google refuses nothing. Every process remembers its own reservations
 * (ModelLedger) and the epoch of each model's windows; when the epoch changes (seen in a script's reply,
 * or by a check every 500 ms while it remembers anything) it replays them into the new epoch, which holds
 * admissions for 2 s meanwhile (epoch_of in COMMON_LUA).
 */
export class WindowsRecovery {
  private readonly logger = new Logger('QuotaWindows');
  private readonly processId = randomBytes(8).toString('hex');
  private readonly ledgers = new Map<string, ModelLedger>();
  private readonly known = new Map<string, string>();
  private readonly replaying = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly commands: QuotaCommands,
    private readonly prefix: string,
    private readonly spanMs: number,
    private readonly spendSpanMs: number,
    private readonly commonArgs: () => (string | number)[],
    private readonly currentDayStart: (nowMs: number) => number,
    private readonly connected: () => boolean,
  ) {}

  /** The last argument of the reserve and capacity scripts. */
  epochMode(model: string): string {
    return this.known.has(model) ? 'known' : 'adopt';
  }

  /** A script answered under `epoch`: replays this process' reservations if the windows were lost. */
  seen(model: string, epoch: string): void {
    const before = this.known.get(model);
    if (before === epoch) return;
    this.known.set(model, epoch);
    if (before !== undefined) this.replay(model, epoch);
  }

  reserved(r: Reservation, epoch: string): void {
    this.ledger(r.model).record(r, epoch);
    this.timer ??= setInterval(() => this.watch(), WATCH_MS).unref();
  }

  corrected(r: Reservation, tokens: number, sentAtMs: number, micros = 0): void {
    this.ledgers.get(r.model)?.corrected(r, tokens, sentAtMs, micros);
  }

  restamped(r: Reservation, atMs: number): void {
    this.ledgers.get(r.model)?.restamped(r, atMs);
  }

  released(r: Reservation): void {
    this.ledgers.get(r.model)?.released(r);
  }

  /** Waits for replays under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.replaying.values());
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private ledger(model: string): ModelLedger {
    let ledger = this.ledgers.get(model);
    if (!ledger) this.ledgers.set(model, (ledger = new ModelLedger(this.spanMs, this.spendSpanMs)));
    return ledger;
  }

  // Models this process remembers reservations of: is their epoch still the one we know?
  private watch(): void {
    // Commands to a client that is reconnecting would pile up in its offline queue; a reply will tell.
    if (!this.connected()) return;
    for (const [model, ledger] of this.ledgers) {
      if (ledger.size === 0 || this.replaying.has(model)) continue;
      this.commands
        .kfQuotaEpoch(rotationKey(this.prefix, model), ...this.commonArgs(), modelBase(this.prefix, model))
        .then(
          (reply) => {
            const [epoch, , nowMs] = reply as [string, number, number];
            ledger.prune(nowMs, this.currentDayStart(nowMs));
            this.seen(model, String(epoch));
          },
          (error: Error) => {
            // The client was closed (shutdown): nothing is left to watch.
            if (/Connection is closed/.test(error.message)) return this.close();
            this.logger.warn(`checking the quota windows of ${model}: ${error.message}`);
          },
        );
    }
  }

  private replay(model: string, epoch: string): void {
    const ledger = this.ledgers.get(model);
    if (!ledger || this.replaying.has(model)) return;
    const groups = ledger.missingFrom(epoch);
    const run = this.send(model, epoch, groups)
      .then((outcome) => {
        if (outcome !== 'stale') ledger.movedTo(epoch);
        if (outcome === 'replayed' && groups.length > 0)
          this.logger.warn(
            `Redis lost the quota windows of ${model}: put back ${countEntries(groups)} reservations of this process`,
          );
      })
      .catch((error: Error) => {
        // '' differs from every epoch: the next reply or check replays again.
        this.known.set(model, '');
        this.logger.warn(`replaying the quota windows of ${model}: ${error.message}`);
      })
      .finally(() => this.replaying.delete(model));
    this.replaying.set(model, run);
  }

  private async send(model: string, epoch: string, groups: ReplayGroup[]): Promise<string> {
    const spend = [spendBase(this.prefix), this.spendSpanMs];
    const args: (string | number)[] = [epoch, this.processId, ...spend, groups.length];
    for (const g of groups) {
      const { requests, tokens, micros } = g.day;
      args.push(g.projectId, g.dayStartMs, requests, tokens, micros, g.entries.length);
      for (const e of g.entries) args.push(e.id, e.atMs, e.tokens, e.corrected ? 1 : 0, e.micros, e.scope);
    }
    const base = modelBase(this.prefix, model);
    const reply = await this.commands.kfQuotaReplay(
      rotationKey(this.prefix, model),
      ...this.commonArgs(),
      base,
      ...args,
    );
    return String(reply);
  }
}

function countEntries(groups: ReplayGroup[]): number {
  return groups.reduce((n, g) => n + g.entries.length, 0);
}
