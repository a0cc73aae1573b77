import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RotationRequests } from '@keyfleet/registry';

interface CandidateRow {
  id: string;
  status: string;
}

/**
 * Starts the rotations the registry asks for: keys of issuer projects past their due date, and keys
 * taken out of service (invalid, IP-blocked, leaked) that have no replacement under way yet — the worker
 * requests those itself; this catches any request that was lost.
 */
@Injectable()
export class DueRotations {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: RotationRequests,
  ) {}

  async start(): Promise<{ scheduled: number; emergency: number }> {
    const rows: CandidateRow[] = await this.dataSource.query(
      `SELECT k.id, k.status FROM upstream_keys k
         JOIN projects p ON p.id = k.project_id
         LEFT JOIN key_rotations r ON r.old_key_id = k.id
        WHERE p.issuer = 'google-api-keys' AND r.id IS NULL
          AND ((k.status = 'active' AND k.rotation_due_at <= now()) OR k.status = 'disabled')
        ORDER BY k.rotation_due_at`,
    );
    const counts = { scheduled: 0, emergency: 0 };
    for (const row of rows) {
      const reason = row.status === 'disabled' ? 'emergency' : 'scheduled';
      if ((await this.requests.request(row.id, reason, 'rotator'))?.created) counts[reason]++;
    }
    return counts;
  }
}
