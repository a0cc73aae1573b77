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
import { ApiRoute } from '../openapi/route-doc';
import { idParam } from '../openapi/schemas/common';
import { clientList, clientView, issuedClientKey, rotatedClientKey } from '../openapi/schemas/registry';

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
  @ApiRoute({
    summary: 'Create a client; its `kf_` key is in this answer only',
    auth: 'admin',
    body: createClientInput,
    responses: { 201: issuedClientKey },
    errors: [400, 409],
  })
  create(@Body(new ZodPipe(createClientInput)) body: CreateClientInput): Promise<IssuedClientKey> {
    return this.clients.create(body, ADMIN_ACTOR);
  }

  @Get()
  @ApiRoute({ summary: 'All clients', auth: 'admin', responses: { 200: clientList } })
  async list(): Promise<{ clients: ClientView[] }> {
    return { clients: await this.clients.list() };
  }

  @Get(':id')
  @ApiRoute({
    summary: 'One client',
    auth: 'admin',
    params: idParam,
    responses: { 200: clientView },
    errors: [404],
  })
  get(@Param('id') id: string): Promise<ClientView> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @ApiRoute({
    summary: "Change a client's name, allowlist, weight or budget",
    auth: 'admin',
    params: idParam,
    body: updateClientInput,
    responses: { 200: clientView },
    errors: [400, 404, 409],
  })
  update(
    @Param('id') id: string,
    @Body(new ZodPipe(updateClientInput)) body: UpdateClientInput,
  ): Promise<ClientView> {
    return this.thenForget(this.clients.update(id, body, ADMIN_ACTOR));
  }

  @Post(':id/rotate-key')
  @ApiRoute({
    summary: 'Issue a new key; the old ones work for `overlapSeconds` more',
    auth: 'admin',
    params: idParam,
    body: rotateClientKeyInput,
    responses: { 201: rotatedClientKey },
    errors: [400, 404],
  })
  rotateKey(
    @Param('id') id: string,
    @Body(new ZodPipe(rotateClientKeyInput)) body: RotateClientKeyInput,
  ): Promise<RotatedClientKey> {
    return this.thenForget(this.clients.rotateKey(id, body, ADMIN_ACTOR));
  }

  @Delete(':id')
  @ApiRoute({
    summary: 'Delete a client (its keys stop working)',
    auth: 'admin',
    params: idParam,
    responses: { 200: clientView },
    errors: [404],
  })
  delete(@Param('id') id: string): Promise<ClientView> {
    return this.thenForget(this.clients.delete(id, ADMIN_ACTOR));
  }
}
