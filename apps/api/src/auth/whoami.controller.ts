import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientAuthGuard } from './client-auth.guard';
import { CurrentClient } from './current-client.decorator';
import type { KeyfleetRequest } from './keyfleet-request';
import { ApiRoute } from '../openapi/route-doc';
import { whoami } from '../openapi/schemas/gateway';

export interface WhoamiResponse {
  clientId: string;
  name: string;
  /** The address keyfleet sees the call coming from (what the allowlist is checked against). */
  address: string | null;
}

/** Lets a client check its key and the address keyfleet sees. */
@ApiTags('client')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ClientAuthGuard)
export class WhoamiController {
  @Get('whoami')
  @ApiRoute({
    summary: 'The client of this key, and the address keyfleet sees',
    auth: 'client',
    responses: { 200: whoami },
  })
  whoami(@CurrentClient() client: AuthenticatedClient, @Req() request: KeyfleetRequest): WhoamiResponse {
    return { clientId: client.clientId, name: client.name, address: request.clientAddress ?? null };
  }
}
