import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KeyRotations1795447934835 implements MigrationInterface {
  name = 'KeyRotations1795447934835';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "key_rotations" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT uuid_generate_v4(), "old_key_id" uuid NOT NULL, "project_id" uuid NOT NULL, "reason" character varying(16) NOT NULL, "step" character varying(16) NOT NULL DEFAULT \'issuing\', "upstream_key_id" character varying(63) NOT NULL, "new_key_id" uuid, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "failures" integer NOT NULL DEFAULT \'0\', "last_error" character varying(300), "lease_until" TIMESTAMP WITH TIME ZONE, "lease_owner" character varying(64), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_abc4d7fe3c176868a67c5235fc2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_key_rotations_step_next" ON "key_rotations"  ("step", "next_attempt_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_key_rotations_old_key" ON "key_rotations"  ("old_key_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "key_rotations" ADD CONSTRAINT "FK_key_rotations_old_key" FOREIGN KEY ("old_key_id") REFERENCES "upstream_keys"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "key_rotations" DROP CONSTRAINT "FK_key_rotations_old_key"');
    await queryRunner.query('DROP INDEX "public"."UQ_key_rotations_old_key"');
    await queryRunner.query('DROP INDEX "public"."IDX_key_rotations_step_next"');
    await queryRunner.query('DROP TABLE "key_rotations"');
  }
}
