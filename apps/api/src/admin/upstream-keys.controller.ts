import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  KeyMigrations,
  KeyRotationService,
  listUpstreamKeysQuery,
  migrateKeysInput,
  rotateUpstreamKeyInput,
  UpstreamKeysService,
  type KeyMigrationResult,
  type ListUpstreamKeysQuery,
  type MigrateKeysInput,
  type RotateUpstreamKeyInput,
  type RotationResult,
  type UpstreamKeyView,
} from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ADMIN_ACTOR } from './admin-actor';
import { ZodPipe } from './zod.pipe';
import { ApiRoute } from '../openapi/route-doc';
import { idParam } from '../openapi/schemas/common';
import {
  keyMigrationResult,
  rotationResult,
  upstreamKeyList,
  upstreamKeyView,
} from '../openapi/schemas/registry';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/keys')
@UseGuards(AdminAuthGuard)
export class UpstreamKeysController {
  constructor(
    private readonly keys: UpstreamKeysService,
    private readonly rotation: KeyRotationService,
    private readonly migrations: KeyMigrations,
  ) {}

  @Get()
  @ApiRoute({
    summary: 'Upstream keys, by project, status or rotation due within N days',
    auth: 'admin',
    query: listUpstreamKeysQuery,
    responses: { 200: upstreamKeyList },
    errors: [400],
  })
  async list(
    @Query(new ZodPipe(listUpstreamKeysQuery)) query: ListUpstreamKeysQuery,
  ): Promise<{ keys: UpstreamKeyView[] }> {
    return { keys: await this.keys.list(query) };
  }

  /**
   * Replaces the standard (`AIza…`) keys of one issuer project, or of all, by auth keys now, through the
   * normal rotation steps (audited). 202: the rotator does the work; watch GET /keys or the audit log.
   */
  @Post('migrate')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiRoute({
    summary: 'Migrate issuer projects from standard to auth keys now',
    description:
      'Every standard key in service of the project (or of every google-api-keys project) is rotated to an auth key bound to the project service account.',
    auth: 'admin',
    body: migrateKeysInput,
    responses: { 202: keyMigrationResult },
    errors: [400, 404],
  })
  migrate(@Body(new ZodPipe(migrateKeysInput)) body: MigrateKeysInput): Promise<KeyMigrationResult> {
    return this.migrations.migrate(body.projectId, ADMIN_ACTOR);
  }

  @Get(':id')
  @ApiRoute({
    summary: 'One upstream key',
    auth: 'admin',
    params: idParam,
    responses: { 200: upstreamKeyView },
    errors: [404],
  })
  get(@Param('id') id: string): Promise<UpstreamKeyView> {
    return this.keys.get(id);
  }

  /**
   * `manual` projects: `{secret}` replaces the key at once (201). Issuer projects: the rotator is asked
   * to rotate it now (202, with the rotation; poll GET /keys/:id or the audit log).
   */
  @Post(':id/rotate')
  @ApiRoute({
    summary: 'Rotate a key now',
    description:
      '`manual` projects: `{secret}` replaces it at once (201). Issuer projects: the rotator does it (202).',
    auth: 'admin',
    params: idParam,
    body: rotateUpstreamKeyInput,
    responses: { 201: rotationResult, 202: rotationResult },
    errors: [400, 404, 409],
  })
  async rotate(
    @Param('id') id: string,
    @Body(new ZodPipe(rotateUpstreamKeyInput)) body: RotateUpstreamKeyInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RotationResult> {
    const result = await this.rotation.rotate(id, body, ADMIN_ACTOR);
    response.status(result.newKey ? HttpStatus.CREATED : HttpStatus.ACCEPTED);
    return result;
  }

  /** Revokes the key in keyfleet (it is never used again); the row stays for the audit trail. */
  @Delete(':id')
  @ApiRoute({
    summary: 'Revoke a key in keyfleet (not deleted upstream)',
    auth: 'admin',
    params: idParam,
    responses: { 200: upstreamKeyView },
    errors: [404],
  })
  revoke(@Param('id') id: string): Promise<UpstreamKeyView> {
    return this.keys.revoke(id, ADMIN_ACTOR);
  }
}
