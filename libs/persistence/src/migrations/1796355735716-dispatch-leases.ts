import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DispatchLeases1796355735716 implements MigrationInterface {
  name = 'DispatchLeases1796355735716';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "dispatch_workers" ("id" uuid NOT NULL, "name" character varying(300) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3f15a514dfb473ecde2a080b34f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_dispatch_workers_expires" ON "dispatch_workers"  ("expires_at") ',
    );
    await queryRunner.query('ALTER TABLE "batch_items" ADD "lease_owner" uuid');
    await queryRunner.query('ALTER TABLE "batch_items" ADD "taken_at" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query(
      'CREATE INDEX "IDX_batch_items_lease" ON "batch_items"  ("lease_owner") WHERE status = \'running\'',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batch_items_waiting" ON "batch_items"  ("batch_id", "line_no") WHERE status = \'pending\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_batch_items_waiting"');
    await queryRunner.query('DROP INDEX "public"."IDX_batch_items_lease"');
    await queryRunner.query('ALTER TABLE "batch_items" DROP COLUMN "taken_at"');
    await queryRunner.query('ALTER TABLE "batch_items" DROP COLUMN "lease_owner"');
    await queryRunner.query('DROP INDEX "public"."IDX_dispatch_workers_expires"');
    await queryRunner.query('DROP TABLE "dispatch_workers"');
  }
}
