import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SecretVault } from '../shared/secret-vault';

export interface ReencryptionSummary {
  /** The id (fingerprint) of the master key every secret is now sealed with. */
  masterKeyId: string;
  reencrypted: number;
  /** Sealed with a key this process has neither as KF_MASTER_KEY nor as KF_PREVIOUS_MASTER_KEY. */
  undecryptable: string[];
}

interface SealedRow {
  id: string;
  secret_ciphertext: Buffer;
  master_key_id: string;
}

const PAGE = 200;

/**
 * Master-key rotation: re-seals every stored secret under the current KF_MASTER_KEY, reading old ones with
 * KF_PREVIOUS_MASTER_KEY. Row by row, each a conditional UPDATE, so readers (which open either key) keep
 * working throughout and a second run, or a run racing another, changes nothing twice.
 */
@Injectable()
export class SecretReencryption {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: SecretVault,
    private readonly audit: AuditService,
  ) {}

  async reencryptAll(actor = 'admin'): Promise<ReencryptionSummary> {
    const summary: ReencryptionSummary = { masterKeyId: this.vault.keyId, reencrypted: 0, undecryptable: [] };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: SealedRow[] = await this.dataSource.query(
        `SELECT id, secret_ciphertext, master_key_id FROM upstream_keys
          WHERE master_key_id <> $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [this.vault.keyId, after],
      );
      if (rows.length === 0) break;
      for (const row of rows) await this.reseal(row, summary);
      after = rows[rows.length - 1].id;
    }
    await this.audit.record({
      actor,
      action: 'secrets.reencrypted',
      targetType: 'master_key',
      targetId: summary.masterKeyId,
      details: { reencrypted: summary.reencrypted, undecryptable: summary.undecryptable.length },
    });
    return summary;
  }

  private async reseal(row: SealedRow, summary: ReencryptionSummary): Promise<void> {
    let secret: string;
    try {
      secret = this.vault.decrypt(row.secret_ciphertext, row.master_key_id);
    } catch {
      summary.undecryptable.push(row.id);
      return;
    }
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `UPDATE upstream_keys SET secret_ciphertext = $1, master_key_id = $2 WHERE id = $3 AND master_key_id = $4`,
      [this.vault.encrypt(secret), this.vault.keyId, row.id, row.master_key_id],
    );
    summary.reencrypted += affected;
  }
}
