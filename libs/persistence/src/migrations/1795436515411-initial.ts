import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795436515411 implements MigrationInterface {
  name = 'Initial1795436515411';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "projects" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT uuid_generate_v4(), "name" character varying(200) NOT NULL, "gcp_project_id" character varying(200), "tier" character varying(16), "egress_ips" text array NOT NULL DEFAULT \'{}\', "issuer" character varying(32) NOT NULL DEFAULT \'manual\', "service_account_email" character varying(320), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_projects_name" ON "projects"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "project_model_limits" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT uuid_generate_v4(), "project_id" uuid NOT NULL, "model" character varying(100) NOT NULL, "rpm" integer NOT NULL, "tpm" integer NOT NULL, "rpd" integer, "tpd" bigint, CONSTRAINT "PK_7b714551e2d82b34d8e1a77e002" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_project_model_limits_project_model" ON "project_model_limits"  ("project_id", "model") ',
    );
    await queryRunner.query(
      'CREATE TABLE "upstream_keys" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT uuid_generate_v4(), "project_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'active\', "secret_ciphertext" bytea NOT NULL, "master_key_id" character varying(16) NOT NULL, "fingerprint" character varying(64) NOT NULL, "last_four" character varying(4) NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rotation_due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_reason" character varying(200), "status_changed_at" TIMESTAMP WITH TIME ZONE, "upstream_name" character varying(300), CONSTRAINT "PK_1464ee572c2b7bab24cd10f003b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_upstream_keys_rotation_due_at" ON "upstream_keys"  ("rotation_due_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_upstream_keys_fingerprint" ON "upstream_keys"  ("fingerprint") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_upstream_keys_project_status" ON "upstream_keys"  ("project_id", "status") ',
    );
    await queryRunner.query(
      'CREATE TABLE "clients" ("created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT uuid_generate_v4(), "name" character varying(200) NOT NULL, "allowed_ips" text array NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f1ab7cf3a5714dbc6bb4e1c28a4" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_clients_name" ON "clients"  ("name") ');
    await queryRunner.query(
      'CREATE TABLE "client_keys" ("id" uuid NOT NULL DEFAULT uuid_generate_v4(), "client_id" uuid NOT NULL, "key_hash" character varying(64) NOT NULL, "last_four" character varying(4) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e09d807dc3f90387a3dd8684abc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_client_keys_client" ON "client_keys"  ("client_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_client_keys_key_hash" ON "client_keys"  ("key_hash") ');
    await queryRunner.query(
      'CREATE TABLE "batches" ("id" uuid NOT NULL DEFAULT uuid_generate_v4(), "client_id" uuid NOT NULL, "model" character varying(100) NOT NULL, "display_name" character varying(500), "status" character varying(16) NOT NULL DEFAULT \'queued\', "idempotency_key" character varying(200), "total_count" integer NOT NULL, "pending_count" integer NOT NULL, "running_count" integer NOT NULL DEFAULT \'0\', "succeeded_count" integer NOT NULL DEFAULT \'0\', "failed_count" integer NOT NULL DEFAULT \'0\', "cancelled_count" integer NOT NULL DEFAULT \'0\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_55e7ff646e969b61d37eea5be7a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batches_open" ON "batches"  ("status") WHERE status IN (\'queued\', \'running\')',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_batches_client_idempotency_key" ON "batches"  ("client_id", "idempotency_key") WHERE idempotency_key IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batches_client_created" ON "batches"  ("client_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "batch_items" ("id" uuid NOT NULL, "batch_id" uuid NOT NULL, "line_no" integer NOT NULL, "key" character varying(500) NOT NULL, "request" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'pending\', "attempts" integer NOT NULL DEFAULT \'0\', "response" jsonb, "error" jsonb, "project_id" uuid, "upstream_key_id" uuid, "prompt_tokens" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_02ce8e2f2a9b56712677455e28b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batch_items_open" ON "batch_items"  ("status") WHERE status IN (\'pending\', \'running\')',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_batch_items_batch_line" ON "batch_items"  ("batch_id", "line_no") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_batch_items_batch_key" ON "batch_items"  ("batch_id", "key") ',
    );
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" character varying(100) NOT NULL, "action" character varying(100) NOT NULL, "target_type" character varying(50) NOT NULL, "target_id" character varying(100), "details" jsonb NOT NULL DEFAULT \'{}\', CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_log_target" ON "audit_log"  ("target_type", "target_id") ',
    );
    await queryRunner.query('CREATE INDEX "IDX_audit_log_at" ON "audit_log"  ("at") ');
    await queryRunner.query(
      'ALTER TABLE "project_model_limits" ADD CONSTRAINT "FK_project_model_limits_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "upstream_keys" ADD CONSTRAINT "FK_upstream_keys_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "client_keys" ADD CONSTRAINT "FK_client_keys_client" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "batch_items" ADD CONSTRAINT "FK_batch_items_batch" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "batch_items" DROP CONSTRAINT "FK_batch_items_batch"');
    await queryRunner.query('ALTER TABLE "client_keys" DROP CONSTRAINT "FK_client_keys_client"');
    await queryRunner.query('ALTER TABLE "upstream_keys" DROP CONSTRAINT "FK_upstream_keys_project"');
    await queryRunner.query(
      'ALTER TABLE "project_model_limits" DROP CONSTRAINT "FK_project_model_limits_project"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_audit_log_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_audit_log_target"');
    await queryRunner.query('DROP TABLE "audit_log"');
    await queryRunner.query('DROP INDEX "public"."UQ_batch_items_batch_key"');
    await queryRunner.query('DROP INDEX "public"."IDX_batch_items_batch_line"');
    await queryRunner.query('DROP INDEX "public"."IDX_batch_items_open"');
    await queryRunner.query('DROP TABLE "batch_items"');
    await queryRunner.query('DROP INDEX "public"."IDX_batches_client_created"');
    await queryRunner.query('DROP INDEX "public"."UQ_batches_client_idempotency_key"');
    await queryRunner.query('DROP INDEX "public"."IDX_batches_open"');
    await queryRunner.query('DROP TABLE "batches"');
    await queryRunner.query('DROP INDEX "public"."UQ_client_keys_key_hash"');
    await queryRunner.query('DROP INDEX "public"."IDX_client_keys_client"');
    await queryRunner.query('DROP TABLE "client_keys"');
    await queryRunner.query('DROP INDEX "public"."IDX_clients_name"');
    await queryRunner.query('DROP TABLE "clients"');
    await queryRunner.query('DROP INDEX "public"."IDX_upstream_keys_project_status"');
    await queryRunner.query('DROP INDEX "public"."UQ_upstream_keys_fingerprint"');
    await queryRunner.query('DROP INDEX "public"."IDX_upstream_keys_rotation_due_at"');
    await queryRunner.query('DROP TABLE "upstream_keys"');
    await queryRunner.query('DROP INDEX "public"."UQ_project_model_limits_project_model"');
    await queryRunner.query('DROP TABLE "project_model_limits"');
    await queryRunner.query('DROP INDEX "public"."UQ_projects_name"');
    await queryRunner.query('DROP TABLE "projects"');
  }
}
