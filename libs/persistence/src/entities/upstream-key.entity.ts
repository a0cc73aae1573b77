import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';
import type { ProjectEntity } from './project.entity';

export const UPSTREAM_KEY_STATUSES = ['active', 'retiring', 'revoked', 'disabled'] as const;
/** active: serves requests; retiring: drains, no new requests; revoked: gone; disabled: taken out by an upstream error. */
export type UpstreamKeyStatus = (typeof UPSTREAM_KEY_STATUSES)[number];

/** A Google API key of a project. The secret is stored only encrypted (AES-256-GCM). */
@Entity('upstream_keys')
@Index('IDX_upstream_keys_project_status', ['projectId', 'status'])
@Index('UQ_upstream_keys_fingerprint', ['fingerprint'], { unique: true })
@Index('IDX_upstream_keys_rotation_due_at', ['rotationDueAt'])
export class UpstreamKeyEntity extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @ManyToOne('ProjectEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_upstream_keys_project' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: UpstreamKeyStatus;

  /** iv (12 bytes) | auth tag (16 bytes) | ciphertext. */
  @Column({ name: 'secret_ciphertext', type: 'bytea', select: false })
  secretCiphertext!: Buffer;

  /** Which master key encrypted the secret (its fingerprint), so re-encryption knows what is left. */
  @Column({ name: 'master_key_id', type: 'varchar', length: 16 })
  masterKeyId!: string;

  /** sha256 of the secret, hex: identifies the key in logs without revealing it. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ name: 'last_four', type: 'varchar', length: 4 })
  lastFour!: string;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ name: 'rotation_due_at', type: 'timestamptz' })
  rotationDueAt!: Date;

  @Column({ name: 'status_reason', type: 'varchar', length: 200, nullable: true })
  statusReason!: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true })
  statusChangedAt!: Date | null;

  /** The key's resource name at the API Keys API, when an issuer made it. */
  @Column({ name: 'upstream_name', type: 'varchar', length: 300, nullable: true })
  upstreamName!: string | null;
}
