import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ClientBudgets1796400678497 implements MigrationInterface {
  name = 'ClientBudgets1796400678497';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" ADD "budget" jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" DROP COLUMN "budget"');
  }
}
