import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BatchModeBudget1796402564150 implements MigrationInterface {
  name = 'BatchModeBudget1796402564150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "batch_mode_jobs" ADD "budget_hold" jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "batch_mode_jobs" DROP COLUMN "budget_hold"');
  }
}
