import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import type { IssuerKind } from '@keyfleet/persistence';
import { createApiKeysClient } from './api-keys-client';
import { GoogleApiKeysIssuer } from './google-api-keys-issuer';
import type { KeyIssuer } from './key-issuer';

/** The issuers of this process, made on first use (no credentials are read until a key is issued). */
@Injectable()
export class KeyIssuers implements OnApplicationShutdown {
  private google?: GoogleApiKeysIssuer;

  constructor(@Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig) {}

  /** The issuer of a project, or null for `manual` (an admin brings the keys). */
  of(kind: IssuerKind): KeyIssuer | null {
    if (kind !== 'google-api-keys') return null;
    this.google ??= new GoogleApiKeysIssuer(createApiKeysClient(this.config));
    return this.google;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.google?.close().catch(() => undefined);
  }
}
