import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsageAccounting1796400650668 implements MigrationInterface {
  name = 'UsageAccounting1796400650668';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "usage_records" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "client_id" uuid NOT NULL, "batch_id" uuid, "project_id" uuid NOT NULL, "model" character varying(100) NOT NULL, "lane" character varying(16) NOT NULL, "surface" character varying(16) NOT NULL, "input_tokens" integer NOT NULL, "output_tokens" integer NOT NULL, "thinking_tokens" integer NOT NULL, "cached_tokens" integer NOT NULL, "cost_micro_usd" numeric(20,6) NOT NULL, "rolled_up" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_e511cf9f7dc53851569f87467a5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_usage_records_unrolled" ON "usage_records"  ("recorded_at") WHERE rolled_up = false',
    );
    await queryRunner.query('CREATE INDEX "IDX_usage_records_at" ON "usage_records"  ("recorded_at") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_usage_records_client_at" ON "usage_records"  ("client_id", "recorded_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "usage_hourly" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "client_id" uuid NOT NULL, "batch_id" uuid, "project_id" uuid NOT NULL, "model" character varying(100) NOT NULL, "lane" character varying(16) NOT NULL, "requests" bigint NOT NULL DEFAULT \'0\', "input_tokens" bigint NOT NULL DEFAULT \'0\', "output_tokens" bigint NOT NULL DEFAULT \'0\', "thinking_tokens" bigint NOT NULL DEFAULT \'0\', "cached_tokens" bigint NOT NULL DEFAULT \'0\', "cost_micro_usd" numeric(24,6) NOT NULL DEFAULT \'0\', CONSTRAINT "PK_f683516582096f883352cdbd9ee" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_usage_hourly_client_hour" ON "usage_hourly"  ("client_id", "hour") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_usage_hourly_batch" ON "usage_hourly"  ("hour", "client_id", "batch_id", "project_id", "model", "lane") WHERE batch_id IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_usage_hourly_interactive" ON "usage_hourly"  ("hour", "client_id", "project_id", "model", "lane") WHERE batch_id IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."UQ_usage_hourly_interactive"');
    await queryRunner.query('DROP INDEX "public"."UQ_usage_hourly_batch"');
    await queryRunner.query('DROP INDEX "public"."IDX_usage_hourly_client_hour"');
    await queryRunner.query('DROP TABLE "usage_hourly"');
    await queryRunner.query('DROP INDEX "public"."IDX_usage_records_client_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_usage_records_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_usage_records_unrolled"');
    await queryRunner.query('DROP TABLE "usage_records"');
  }
}
