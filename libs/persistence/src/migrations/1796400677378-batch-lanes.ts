import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BatchLanes1796400677378 implements MigrationInterface {
  name = 'BatchLanes1796400677378';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "batch_mode_jobs" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL, "batch_id" uuid NOT NULL, "project_id" uuid NOT NULL, "model" character varying(100) NOT NULL, "first_line" integer NOT NULL, "last_line" integer NOT NULL, "est_tokens" integer NOT NULL, "name" character varying(300), "state" character varying(16) NOT NULL DEFAULT \'submitting\', "input_file" character varying(300), "settled" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_71b9c71c128b15433f544768638" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batch_mode_jobs_open" ON "batch_mode_jobs"  ("project_id") WHERE settled = false',
    );
    await queryRunner.query('CREATE INDEX "IDX_batch_mode_jobs_batch" ON "batch_mode_jobs"  ("batch_id") ');
    await queryRunner.query('ALTER TABLE "projects" ADD "batch_max_jobs" integer NOT NULL DEFAULT \'100\'');
    await queryRunner.query(
      'ALTER TABLE "projects" ADD "batch_enqueued_tokens" jsonb NOT NULL DEFAULT \'{}\'',
    );
    await queryRunner.query(
      'ALTER TABLE "batches" ADD "lane" character varying(8) NOT NULL DEFAULT \'live\'',
    );
    await queryRunner.query(
      'ALTER TABLE "batches" ADD "lane_chosen" character varying(8) NOT NULL DEFAULT \'live\'',
    );
    await queryRunner.query('ALTER TABLE "batches" ADD "lane_reason" character varying(300)');
    await queryRunner.query('ALTER TABLE "batches" ADD "estimated_saving_usd" double precision');
    await queryRunner.query('ALTER TABLE "batches" ADD "deadline" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "batches" ADD "lane_live" boolean NOT NULL DEFAULT true');
    await queryRunner.query(
      'ALTER TABLE "batch_mode_jobs" ADD CONSTRAINT "FK_batch_mode_jobs_batch" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "batch_mode_jobs" DROP CONSTRAINT "FK_batch_mode_jobs_batch"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "lane_live"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "deadline"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "estimated_saving_usd"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "lane_reason"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "lane_chosen"');
    await queryRunner.query('ALTER TABLE "batches" DROP COLUMN "lane"');
    await queryRunner.query('ALTER TABLE "projects" DROP COLUMN "batch_enqueued_tokens"');
    await queryRunner.query('ALTER TABLE "projects" DROP COLUMN "batch_max_jobs"');
    await queryRunner.query('DROP INDEX "public"."IDX_batch_mode_jobs_batch"');
    await queryRunner.query('DROP INDEX "public"."IDX_batch_mode_jobs_open"');
    await queryRunner.query('DROP TABLE "batch_mode_jobs"');
  }
}
