import { Body, Controller, Delete, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  KeyRotationService,
  listUpstreamKeysQuery,
  rotateUpstreamKeyInput,
  UpstreamKeysService,
  type ListUpstreamKeysQuery,
  type RotateUpstreamKeyInput,
  type RotationResult,
  type UpstreamKeyView,
} from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ADMIN_ACTOR } from './admin-actor';
import { ZodPipe } from './zod.pipe';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/keys')
@UseGuards(AdminAuthGuard)
export class UpstreamKeysController {
  constructor(
    private readonly keys: UpstreamKeysService,
    private readonly rotation: KeyRotationService,
  ) {}

  @Get()
  async list(
    @Query(new ZodPipe(listUpstreamKeysQuery)) query: ListUpstreamKeysQuery,
  ): Promise<{ keys: UpstreamKeyView[] }> {
    return { keys: await this.keys.list(query) };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<UpstreamKeyView> {
    return this.keys.get(id);
  }

  @Post(':id/rotate')
  rotate(
    @Param('id') id: string,
    @Body(new ZodPipe(rotateUpstreamKeyInput)) body: RotateUpstreamKeyInput,
  ): Promise<RotationResult> {
    return this.rotation.rotate(id, body, ADMIN_ACTOR);
  }

  /** Revokes the key in keyfleet (it is never used again); the row stays for the audit trail. */
  @Delete(':id')
  revoke(@Param('id') id: string): Promise<UpstreamKeyView> {
    return this.keys.revoke(id, ADMIN_ACTOR);
  }
}
