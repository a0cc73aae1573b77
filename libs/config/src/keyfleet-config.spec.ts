import { ConfigError, loadConfig } from './keyfleet-config';

const masterKey = Buffer.alloc(32, 7).toString('base64');
const valid = { KF_ADMIN_TOKEN: 'admin-token-0123456789', KF_MASTER_KEY: masterKey };

describe('loadConfig', () => {
  it('applies the defaults of DESIGN.md', () => {
    const config = loadConfig(valid);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/keyfleet');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.geminiBaseUrl).toBe('https://generativelanguage.googleapis.com');
    expect(config.apiKeysBaseUrl).toBe('https://apikeys.googleapis.com');
    expect(config.port).toBe(8080);
    expect(config.rotation).toEqual({
      minDays: 7,
      maxDays: 15,
      sweepSeconds: 900,
      graceSeconds: 600,
      retrySeconds: 30,
      proofSeconds: 60,
      maxProofFailures: 3,
    });
    expect(config.masterKey).toHaveLength(32);
    expect(config.httpKeepAliveMs).toBe(65_000);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ ...valid, KF_TRUSTED_PROXIES: '10.0.0.0/8, ::1', PORT: '9000' });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(config.port).toBe(9000);
  });

  it('names every missing or malformed variable', () => {
    let caught: unknown;
    try {
      loadConfig({ KF_MASTER_KEY: 'c2hvcnQ=', PORT: 'eighty', REDIS_URL: 'http://nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('KF_ADMIN_TOKEN');
    expect(() => loadConfig({ ...valid, KF_HTTP_KEEP_ALIVE_MS: '10' })).toThrow(/KF_HTTP_KEEP_ALIVE_MS/);
    expect(message).toContain('KF_MASTER_KEY: must be 32 bytes');
    expect(message).toContain('PORT');
    expect(message).toContain('REDIS_URL');
  });

  it('defaults and validates the interactive share and wait', () => {
    expect(loadConfig(valid).interactive).toEqual({ share: 0.2, reserveMs: 120_000, maxWaitMs: 10_000 });
    const custom = loadConfig({ ...valid, KF_INTERACTIVE_SHARE: '0', KF_INTERACTIVE_MAX_WAIT_MS: '0' });
    expect(custom.interactive).toMatchObject({ share: 0, maxWaitMs: 0 });
    expect(() => loadConfig({ ...valid, KF_INTERACTIVE_SHARE: '1' })).toThrow(/KF_INTERACTIVE_SHARE/);
    expect(() => loadConfig({ ...valid, KF_INTERACTIVE_SHARE: '-0.1' })).toThrow(/KF_INTERACTIVE_SHARE/);
    expect(() => loadConfig({ ...valid, KF_INTERACTIVE_MAX_WAIT_MS: 'soon' })).toThrow(
      /KF_INTERACTIVE_MAX_WAIT_MS/,
    );
  });

  it('rejects a rotation window whose minimum exceeds its maximum', () => {
    expect(() => loadConfig({ ...valid, KF_ROTATION_MIN_DAYS: '20' })).toThrow(/KF_ROTATION_MIN_DAYS/);
  });
});
