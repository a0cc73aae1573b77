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

/**
 * Every environment variable keyfleet reads, with its default and what it is for. Parsed once at start.
 * The descriptions are the README's configuration table and `.env.example` (`npm run config:docs`;
 * a test fails when either is stale), so a variable without one fails that test.
 */
export const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'])
      .default('development')
      .describe('`production` in the image'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgres://postgres@127.0.0.1:5432/keyfleet')
      .describe('Postgres; the database is created if missing'),
    REDIS_URL: z
      .url({ protocol: /^rediss?$/ })
      .default('redis://127.0.0.1:6379')
      .describe('Redis: queues and quota windows (configure `maxmemory-policy noeviction`)'),
    GEMINI_BASE_URL: baseUrl
      .default('https://generativelanguage.googleapis.com')
      .describe('the upstream: scheme and host, `/v1beta` is added (the simulator in the demo)'),
    GOOGLE_APIKEYS_BASE_URL: baseUrl
      .default('https://apikeys.googleapis.com')
      .describe('API Keys API, for the `google-api-keys` issuer'),
    GOOGLE_APPLICATION_CREDENTIALS: z
      .string()
      .optional()
      .describe('issuer credentials: a service-account or workload-identity file'),
    GOOGLE_OAUTH_ACCESS_TOKEN: z
      .string()
      .optional()
      .describe('issuer credentials: a static OAuth token instead (no refresh)'),
    KF_ADMIN_TOKEN: z
      .string({ error: 'is required (the bearer token of the admin API)' })
      .min(16, 'must be at least 16 characters')
      .describe("**required**: the admin API's bearer token, 16+ characters"),
    KF_MASTER_KEY: masterKey.describe(
      '**required**: seals upstream keys (AES-256-GCM); 32 bytes, base64 (`openssl rand -base64 32`)',
    ),
    KF_PREVIOUS_MASTER_KEY: masterKey
      .optional()
      .describe('the master key before a rotation, still read (see "Master-key rotation")'),
    PORT: port(8080).describe("the api's HTTP port"),
    KF_HEALTH_PORT: port(0).describe(
      'worker and rotator: `/healthz`, `/readyz`, `/metrics` (0: any free port)',
    ),
    // How long the api keeps an idle client connection open: longer than a load balancer's idle timeout
    // (60 s on most), so the balancer, not keyfleet, closes it, and a client pausing between calls keeps its connection.
    KF_HTTP_KEEP_ALIVE_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .default(65_000)
      .describe('how long the api keeps an idle client connection open (ms)'),
    KF_TRUSTED_PROXIES: commaList.describe('CIDRs whose `X-Forwarded-For` is believed (comma-separated)'),
    KF_EGRESS_IPS: commaList.describe(
      "this deployment's egress addresses: only projects whose `egressIps` cover them are used",
    ),
    KF_ROTATION_MIN_DAYS: z.coerce
      .number()
      .positive()
      .default(7)
      .describe('upstream keys are due for rotation between MIN and MAX days after issue'),
    KF_ROTATION_MAX_DAYS: z.coerce.number().positive().default(15).describe('see KF_ROTATION_MIN_DAYS'),
    KF_ROTATION_SWEEP_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(900)
      .describe('how often the rotator sweeps for due keys'),
    KF_ROTATION_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(600)
      .describe('how long a retiring key drains before it is deleted upstream'),
    KF_ROTATION_RETRY_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('first retry delay of a failed rotation step (doubles, capped at 1 h)'),
    // At most 100 s: the step (create, polls, proof) must end within the rotator's 120 s lease.
    KF_KEY_PROOF_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(60)
      .describe(
        'how long a new upstream key is proven (models.list, retried) before its rotation step fails',
      ),
    KF_KEY_PROOF_MAX_FAILURES: z.coerce
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('failed proofs after which a rotation stops with an alert (no more new keys)'),
    KF_QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('kf')
      .describe('Redis key prefix of queues and quota windows (one per deployment)'),
    KF_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('JSON logs (pino); keys and tokens are redacted'),
    // A safety cap only: how many requests a worker process keeps in flight follows what the quota admits
    // (rate × latency); this bounds it, with the heap, against a pool far larger than one process can carry.
    KF_MAX_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(20_000)
      .describe('safety cap on requests in flight per worker process (the quota decides how many below it)'),
    KF_MAX_ATTEMPTS: z.coerce
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .describe('attempts per item for transient errors (quota waits use none)'),
    KF_QUOTA_HEADROOM_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(1000)
      .describe('a reservation occupies the window plus this: the time until Google counts it'),
    // Google's spend limit is per rolling 10 minutes; a shorter window is for tests and the bench only.
    KF_SPEND_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .max(3_600_000)
      .default(600_000)
      .describe('rolling window of the spend limit (Google: 10 minutes; shorter only for tests/bench)'),
    // A 429 with only a Help link says neither which quota nor how long: keep the project+model out briefly.
    KF_HELP_ONLY_429_BLOCK_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(10_000)
      .describe(
        'how long a 429 with only a Help link (no QuotaFailure, no RetryInfo) blocks the project+model',
      ),
    // Kept for interactive calls (0 ≤ share < 1): batches fill at most 1 - share of each limit.
    KF_INTERACTIVE_SHARE: z.coerce
      .number()
      .min(0)
      .lt(1, 'must be below 1 (batches need some room)')
      .default(0.2)
      .describe('share of every limit kept for interactive calls (0 ≤ share < 1)'),
    // How long after a model's last interactive call its share stays kept (0 = always kept).
    KF_INTERACTIVE_RESERVE_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(120_000)
      .describe("the share is kept this long after a model's last interactive call (0: always)"),
    // How long an interactive call may wait for quota room before it is answered 429.
    KF_INTERACTIVE_MAX_WAIT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(10_000)
      .describe('longest wait of an interactive call for quota room before its 429'),
    // Google's Batch Mode takes input files up to 2 GB; NDJSON is streamed, so its size costs no memory.
    KF_MAX_BATCH_ITEMS: z.coerce
      .number()
      .int()
      .min(1)
      .default(1_000_000)
      .describe('requests per batch at most'),
    KF_MAX_BODY_MB: z.coerce
      .number()
      .positive()
      .default(2048)
      .describe('an NDJSON batch upload up to this size (read as a stream, in flat memory)'),
    // A JSON body is parsed whole (and holds several times its size in memory): Google's own limit for
    // a request, and for an inline batch, is 20 MB.
    KF_MAX_JSON_MB: z.coerce
      .number()
      .positive()
      .default(20)
      .describe('a JSON body, and one NDJSON line, up to this size (bigger batches: NDJSON)'),
    // Raw rows answer per-request questions; the hourly rollups (kept indefinitely) answer every report.
    KF_USAGE_RAW_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(7)
      .describe('days a raw usage record (one per request) is kept; the hourly rollups stay'),
    KF_RUN_MIGRATIONS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true')
      .describe('apply pending migrations at start (under an advisory lock)'),
  })
  .refine((env) => env.KF_ROTATION_MIN_DAYS <= env.KF_ROTATION_MAX_DAYS, {
    path: ['KF_ROTATION_MIN_DAYS'],
    message: 'must not exceed KF_ROTATION_MAX_DAYS',
  });

export type Env = z.output<typeof envSchema>;
