import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { expectedRestrictions, KeyIssuers, restrictionsDrifted, type KeyIssuer } from '@keyfleet/issuers';
import { AuditService, UpstreamKeysService } from '@keyfleet/registry';
import { rotationMetrics } from './rotation-metrics';

interface KeyRow {
  id: string;
  upstream_name: string;
  egress_ips: string[];
}

export interface DriftSummary {
  checked: number;
  reapplied: number;
  goneUpstream: number;
  errors: number;
}

/**
 * Compares each issued key's restrictions upstream with what keyfleet expects (the Gemini API, from the
 * project's egress IPs) and re-applies them when they drifted (someone edited the key, or the project's
 * egress IPs changed). A key deleted upstream behind keyfleet's back is taken out of service and replaced.
 */
@Injectable()
export class RestrictionDrift {
  private readonly logger = new Logger(RestrictionDrift.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly issuers: KeyIssuers,
    private readonly keys: UpstreamKeysService,
    private readonly audit: AuditService,
  ) {}

  async check(): Promise<DriftSummary> {
    const rows: KeyRow[] = await this.dataSource.query(
      `SELECT k.id, k.upstream_name, p.egress_ips FROM upstream_keys k
         JOIN projects p ON p.id = k.project_id
        WHERE p.issuer = 'google-api-keys' AND k.upstream_name IS NOT NULL
          AND k.status IN ('active', 'retiring')
        ORDER BY k.id`,
    );
    const summary: DriftSummary = { checked: 0, reapplied: 0, goneUpstream: 0, errors: 0 };
    const issuer = this.issuers.of('google-api-keys');
    if (!issuer) return summary;
    for (const row of rows) {
      try {
        const outcome = await this.checkKey(issuer, row);
        summary.checked++;
        if (outcome === 'reapplied') summary.reapplied++;
        if (outcome === 'gone') summary.goneUpstream++;
      } catch (error) {
        summary.errors++;
        this.logger.warn(`restriction check of key ${row.id} failed: ${(error as Error).message}`);
      }
    }
    return summary;
  }

  private async checkKey(issuer: KeyIssuer, row: KeyRow): Promise<'ok' | 'reapplied' | 'gone'> {
    const upstream = await issuer.find(row.upstream_name);
    if (!upstream || upstream.deleted) {
      await this.keys.takeOutOfService(row.id, 'deleted upstream', 'rotator');
      return 'gone';
    }
    const expected = expectedRestrictions(row.egress_ips);
    if (!restrictionsDrifted(upstream.restrictions, expected)) return 'ok';
    await issuer.applyRestrictions(row.upstream_name, expected);
    rotationMetrics.drifted.inc();
    await this.audit.record({
      actor: 'rotator',
      action: 'upstream_key.restrictions_reapplied',
      targetType: 'upstream_key',
      targetId: row.id,
      details: { found: upstream.restrictions, applied: expected },
    });
    return 'reapplied';
  }
}
