import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SpendLimits1796391552152 implements MigrationInterface {
  name = 'SpendLimits1796391552152';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "model_prices" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "model" character varying(100) NOT NULL, "input_usd_per_million" double precision NOT NULL, "output_usd_per_million" double precision NOT NULL, CONSTRAINT "PK_ee677bcb7d535720e754cc67f05" PRIMARY KEY ("model"))',
    );
    await queryRunner.query('ALTER TABLE "projects" ADD "billing_group" character varying(100)');
    await queryRunner.query('ALTER TABLE "projects" ADD "spend_limit_usd" double precision');
    await queryRunner.query(
      'ALTER TABLE "projects" ADD "spend_limit_explicit" boolean NOT NULL DEFAULT false',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "projects" DROP COLUMN "spend_limit_explicit"');
    await queryRunner.query('ALTER TABLE "projects" DROP COLUMN "spend_limit_usd"');
    await queryRunner.query('ALTER TABLE "projects" DROP COLUMN "billing_group"');
    await queryRunner.query('DROP TABLE "model_prices"');
  }
}
