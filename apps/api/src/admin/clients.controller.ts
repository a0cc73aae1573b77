import { Body, Controller, Delete, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ClientsService,
  createClientInput,
  rotateClientKeyInput,
  updateClientInput,
  type ClientView,
  type CreateClientInput,
  type IssuedClientKey,
  type RotateClientKeyInput,
  type RotatedClientKey,
  type UpdateClientInput,
} from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ClientKeyCache } from '../auth/client-key-cache';
import { ADMIN_ACTOR } from './admin-actor';
import { ZodPipe } from './zod.pipe';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/clients')
@UseGuards(AdminAuthGuard)
export class ClientsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly keyCache: ClientKeyCache,
  ) {}

  /** A change to a client's keys or allowlist takes effect at once on this process (others: within 2 s). */
  private async thenForget<T>(change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.keyCache.clear();
    }
  }

  /** The only response that ever holds the client's key. */
  @Post()
  create(@Body(new ZodPipe(createClientInput)) body: CreateClientInput): Promise<IssuedClientKey> {
    return this.clients.create(body, ADMIN_ACTOR);
  }

  @Get()
  async list(): Promise<{ clients: ClientView[] }> {
    return { clients: await this.clients.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<ClientView> {
    return this.clients.get(id);
  }

  @Patch(':id')
  update(
    @Param('id') id: string,
    @Body(new ZodPipe(updateClientInput)) body: UpdateClientInput,
  ): Promise<ClientView> {
    return this.thenForget(this.clients.update(id, body, ADMIN_ACTOR));
  }

  @Post(':id/rotate-key')
  rotateKey(
    @Param('id') id: string,
    @Body(new ZodPipe(rotateClientKeyInput)) body: RotateClientKeyInput,
  ): Promise<RotatedClientKey> {
    return this.thenForget(this.clients.rotateKey(id, body, ADMIN_ACTOR));
  }

  @Delete(':id')
  delete(@Param('id') id: string): Promise<ClientView> {
    return this.thenForget(this.clients.delete(id, ADMIN_ACTOR));
  }
}
