import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FairDispatch1796355133294 implements MigrationInterface {
  name = 'FairDispatch1796355133294';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" ADD "weight" double precision NOT NULL DEFAULT \'1\'');
    await queryRunner.query('ALTER TABLE "batches" ADD "priority" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "batch_items" ADD "est_tokens" integer NOT NULL DEFAULT \'0\'');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "batch_items" DROP COLUMN "est_tokens"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "priority"');
    await queryRunner.query('ALTER TABLE "clients" DROP COLUMN "weight"');
  }
}
