import { randomBytes } from 'node:crypto';
import { loadConfig, type KeyfleetConfig } from '@keyfleet/config';

export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A unique Redis key prefix, so parallel test files never see each other's queues or quota windows. */
export function uniquePrefix(label = 'kf-test'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** A full, validated KeyfleetConfig for tests: real services, unique queue prefix, quiet logs. */
export function testConfig(env: Record<string, string | undefined> = {}): KeyfleetConfig {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    KF_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    KF_MASTER_KEY: randomBytes(32).toString('base64'),
    KF_QUEUE_PREFIX: uniquePrefix(),
    KF_LOG_LEVEL: 'warn',
    PORT: '0',
    KF_HEALTH_PORT: '0',
    ...env,
  });
}
