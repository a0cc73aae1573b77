import { randomBytes } from 'node:crypto';
import { SecretBox, masterKeyId } from './secret-box';
import { describeSecret, fingerprint, lastFour } from './fingerprint';
import { generateClientKey, hashClientKey, looksLikeClientKey } from './client-key';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const secret = 'AIzaSyExampleSecretValue1234';
    const sealed = box.encrypt(secret);
    expect(sealed.toString('utf8')).not.toContain(secret);
    expect(box.decrypt(sealed)).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same').equals(box.encrypt('same'))).toBe(false);
  });

  it('refuses a tampered ciphertext or another master key', () => {
    const sealed = box.encrypt('secret-value');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => box.decrypt(tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
  });

  it('rejects a master key of the wrong size', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('identifies master keys without revealing them', () => {
    const key = randomBytes(32);
    expect(masterKeyId(key)).toHaveLength(16);
    expect(masterKeyId(key)).toBe(new SecretBox(key).keyId);
    expect(masterKeyId(key)).not.toBe(masterKeyId(randomBytes(32)));
  });
});

describe('fingerprints and client keys', () => {
  it('describes a secret by last four and fingerprint only', () => {
    const secret = 'AIzaSyVerySecret9876';
    expect(lastFour(secret)).toBe('9876');
    expect(fingerprint(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(describeSecret(secret)).not.toContain('VerySecret');
  });

  it('generates distinct kf_ keys whose hash is stable', () => {
    const a = generateClientKey();
    const b = generateClientKey();
    expect(a).not.toBe(b);
    expect(looksLikeClientKey(a)).toBe(true);
    expect(looksLikeClientKey('AIzaSy123')).toBe(false);
    expect(hashClientKey(a)).toBe(hashClientKey(a));
    expect(hashClientKey(a)).not.toBe(hashClientKey(b));
  });
});
