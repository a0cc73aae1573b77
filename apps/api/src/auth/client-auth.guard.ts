import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { CidrList } from '@keyfleet/registry';
import { presentedClientKey } from './bearer-token';
import { clientAddress } from './client-address';
import { ClientKeyVerifier } from './client-key-verifier';
import type { KeyfleetRequest } from './keyfleet-request';

/**
 * Client routes: a valid, unexpired client key (401 otherwise), used from an address inside the
 * client's allowlist (403 otherwise). Attaches the client for @CurrentClient().
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  private readonly trustedProxies: CidrList;

  constructor(
    private readonly verifier: ClientKeyVerifier,
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
  ) {
    try {
      this.trustedProxies = CidrList.parse(config.trustedProxies);
    } catch (error) {
      throw new Error(`KF_TRUSTED_PROXIES: ${(error as Error).message}`);
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyfleetRequest>();
    const rawKey = presentedClientKey(request);
    if (!rawKey) {
      throw new KeyfleetError(
        ErrorCode.Unauthenticated,
        'missing client key: send "Authorization: Bearer kf_…" or "x-goog-api-key: kf_…"',
      );
    }
    const verified = await this.verifier.verify(rawKey);
    if (!verified)
      throw new KeyfleetError(ErrorCode.Unauthenticated, 'invalid, expired or revoked client key');
    const { client, allowlist } = verified;
    const address = clientAddress(request, this.trustedProxies);
    if (!address || !allowlist.contains(address)) {
      throw new KeyfleetError(
        ErrorCode.PermissionDenied,
        `client address ${address ?? 'unknown'} is not in the allowlist of this client key`,
      );
    }
    request.keyfleetClient = client;
    request.clientAddress = address;
    return true;
  }
}
