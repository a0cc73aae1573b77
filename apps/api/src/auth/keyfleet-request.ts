import type { Request } from 'express';
import type { AuthenticatedClient } from '@keyfleet/registry';

/** An Express request after ClientAuthGuard: who is calling, and from where. */
export interface KeyfleetRequest extends Request {
  keyfleetClient?: AuthenticatedClient;
  clientAddress?: string;
}
