import { Inject, Injectable } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { SecretBox } from '@keyfleet/secrets';

/** Encrypts with the current master key; decrypts with whichever key (current or previous) sealed it. */
@Injectable()
export class SecretVault {
  private readonly current: SecretBox;
  private readonly previous?: SecretBox;

  constructor(@Inject(KEYFLEET_CONFIG) config: KeyfleetConfig) {
    this.current = new SecretBox(config.masterKey);
    if (config.previousMasterKey) this.previous = new SecretBox(config.previousMasterKey);
  }

  get keyId(): string {
    return this.current.keyId;
  }

  encrypt(secret: string): Buffer {
    return this.current.encrypt(secret);
  }

  decrypt(sealed: Buffer, masterKeyId: string): string {
    const box = this.previous?.keyId === masterKeyId ? this.previous : this.current;
    return box.decrypt(sealed);
  }
}
