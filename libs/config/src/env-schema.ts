import { z } from 'zod';

const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const masterKey = z
  .string({ error: 'is required (32 random bytes, base64: `openssl rand -base64 32`)' })
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Every environment variable keyfleet reads, with its default. Parsed once at start. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgres://postgres@127.0.0.1:5432/keyfleet'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    GEMINI_BASE_URL: baseUrl.default('https://generativelanguage.googleapis.com'),
    GOOGLE_APIKEYS_BASE_URL: baseUrl.default('https://apikeys.googleapis.com'),
    GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
    GOOGLE_OAUTH_ACCESS_TOKEN: z.string().optional(),
    KF_ADMIN_TOKEN: z
      .string({ error: 'is required (the bearer token of the admin API)' })
      .min(16, 'must be at least 16 characters'),
    KF_MASTER_KEY: masterKey,
    KF_PREVIOUS_MASTER_KEY: masterKey.optional(),
    PORT: port(8080),
    KF_HEALTH_PORT: port(0),
    // How long the api keeps an idle client connection open: longer than a load balancer's idle timeout
    // (60 s on most), so the balancer, not keyfleet, closes it, and a client pausing between calls keeps its connection.
    KF_HTTP_KEEP_ALIVE_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
    KF_TRUSTED_PROXIES: commaList,
    KF_EGRESS_IPS: commaList,
    KF_ROTATION_MIN_DAYS: z.coerce.number().positive().default(7),
    KF_ROTATION_MAX_DAYS: z.coerce.number().positive().default(15),
    KF_ROTATION_SWEEP_SECONDS: z.coerce.number().int().min(1).default(900),
    KF_ROTATION_GRACE_SECONDS: z.coerce.number().int().min(0).default(600),
    KF_ROTATION_RETRY_SECONDS: z.coerce.number().int().min(1).default(30),
    KF_QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('kf'),
    KF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    KF_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
    KF_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    KF_QUOTA_HEADROOM_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
    // Kept for interactive calls (0 ≤ share < 1): batches fill at most 1 - share of each limit.
    KF_INTERACTIVE_SHARE: z.coerce
      .number()
      .min(0)
      .lt(1, 'must be below 1 (batches need some room)')
      .default(0.2),
    // How long after a model's last interactive call its share stays kept (0 = always kept).
    KF_INTERACTIVE_RESERVE_MS: z.coerce.number().int().min(0).default(120_000),
    // How long an interactive call may wait for quota room before it is answered 429.
    KF_INTERACTIVE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    // Google's Batch Mode takes input files up to 2 GB; NDJSON is streamed, so its size costs no memory.
    KF_MAX_BATCH_ITEMS: z.coerce.number().int().min(1).default(1_000_000),
    KF_MAX_BODY_MB: z.coerce.number().positive().default(2048),
    // A JSON body is parsed whole (and holds several times its size in memory): Google's own limit for
    // a request, and for an inline batch, is 20 MB. It also bounds one NDJSON line.
    KF_MAX_JSON_MB: z.coerce.number().positive().default(20),
    KF_RUN_MIGRATIONS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
  })
  .refine((env) => env.KF_ROTATION_MIN_DAYS <= env.KF_ROTATION_MAX_DAYS, {
    path: ['KF_ROTATION_MIN_DAYS'],
    message: 'must not exceed KF_ROTATION_MAX_DAYS',
  });

export type Env = z.output<typeof envSchema>;
