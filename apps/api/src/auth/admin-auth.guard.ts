import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { AdminToken } from './admin-token';
import { bearerToken } from './bearer-token';

/** Admin routes: `Authorization: Bearer $KF_ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly token: AdminToken;

  constructor(@Inject(KEYFLEET_CONFIG) config: KeyfleetConfig) {
    this.token = new AdminToken(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<Request>());
    if (!this.token.matches(token)) {
      throw new KeyfleetError(ErrorCode.Unauthenticated, 'missing or invalid admin token');
    }
    return true;
  }
}
