import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';
import type { ProjectEntity } from './project.entity';

/** An explicit per-model limit of a project; models without one fall back to the project's tier preset. */
@Entity('project_model_limits')
@Index('UQ_project_model_limits_project_model', ['projectId', 'model'], { unique: true })
export class ProjectModelLimitEntity extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @ManyToOne('ProjectEntity', (project: ProjectEntity) => project.limits, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_project_model_limits_project' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ type: 'integer' })
  rpm!: number;

  @Column({ type: 'integer' })
  tpm!: number;

  /** null: no per-day request limit. */
  @Column({ type: 'integer', nullable: true })
  rpd!: number | null;

  /** null: no per-day input-token limit. */
  @Column({
    type: 'bigint',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  tpd!: number | null;
}
