import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedClient } from '@keyfleet/registry';
import type { KeyfleetRequest } from './keyfleet-request';

/** The client ClientAuthGuard authenticated; only on routes guarded by it. */
export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedClient => {
    const client = context.switchToHttp().getRequest<KeyfleetRequest>().keyfleetClient;
    if (!client) throw new Error('@CurrentClient() used on a route without ClientAuthGuard');
    return client;
  },
);
