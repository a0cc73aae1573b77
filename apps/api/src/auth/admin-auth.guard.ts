import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { bearerToken } from './bearer-token';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Admin routes: `Authorization: Bearer $KF_ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(KEYFLEET_CONFIG) config: KeyfleetConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<Request>());
    // Comparing digests keeps the comparison constant-time whatever the token's length.
    if (!token || !timingSafeEqual(digest(token), this.expected)) {
      throw new KeyfleetError(ErrorCode.Unauthenticated, 'missing or invalid admin token');
    }
    return true;
  }
}
