import { envSchema, type Env } from './env-schema';

/** The typed configuration every process receives; built once from the environment. */
export interface KeyfleetConfig {
  env: Env['NODE_ENV'];
  databaseUrl: string;
  redisUrl: string;
  geminiBaseUrl: string;
  apiKeysBaseUrl: string;
  googleCredentialsFile?: string;
  googleAccessToken?: string;
  adminToken: string;
  masterKey: Buffer;
  previousMasterKey?: Buffer;
  port: number;
  healthPort: number;
  trustedProxies: string[];
  egressIps: string[];
  rotation: {
    minDays: number;
    maxDays: number;
    sweepSeconds: number;
    /** How long a retiring key drains (in-flight requests finish) before it is deleted upstream. */
    graceSeconds: number;
    /** First retry delay of a failed rotation step; doubles per failure, capped at one hour. */
    retrySeconds: number;
    /** How long a new key's proof call is retried (propagation) before the step fails. */
    proofSeconds: number;
    /** Failed proofs after which a rotation stops (audited, counted) instead of retrying. */
    maxProofFailures: number;
  };
  queuePrefix: string;
  logLevel: Env['KF_LOG_LEVEL'];
  /** maxInFlight: a worker process' cap on requests in flight (what the quota admits decides below it). */
  worker: { maxInFlight: number; maxAttempts: number };
  /** spendWindowMs: the spend limit's rolling window; helpOnlyBlockMs: how long a Help-only 429 blocks. */
  quota: { headroomMs: number; spendWindowMs: number; helpOnlyBlockMs: number };
  /** Interactive (Gemini-native / OpenAI-compatible) calls: their kept share, and their bounded wait. */
  interactive: { share: number; reserveMs: number; maxWaitMs: number };
  /** maxBodyBytes: an NDJSON upload (streamed); maxJsonBytes: a JSON body (parsed whole), and one NDJSON line. */
  limits: { maxBatchItems: number; maxBodyBytes: number; maxJsonBytes: number };
  /** The api's HTTP keep-alive timeout for idle client connections. */
  httpKeepAliveMs: number;
  /** rawRetentionDays: how long raw usage records are kept (hourly rollups stay). */
  usage: { rawRetentionDays: number };
  runMigrations: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): KeyfleetConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    geminiBaseUrl: env.GEMINI_BASE_URL.replace(/\/+$/, ''),
    apiKeysBaseUrl: env.GOOGLE_APIKEYS_BASE_URL.replace(/\/+$/, ''),
    googleCredentialsFile: env.GOOGLE_APPLICATION_CREDENTIALS,
    googleAccessToken: env.GOOGLE_OAUTH_ACCESS_TOKEN,
    adminToken: env.KF_ADMIN_TOKEN,
    masterKey: Buffer.from(env.KF_MASTER_KEY, 'base64'),
    previousMasterKey: env.KF_PREVIOUS_MASTER_KEY
      ? Buffer.from(env.KF_PREVIOUS_MASTER_KEY, 'base64')
      : undefined,
    port: env.PORT,
    healthPort: env.KF_HEALTH_PORT,
    trustedProxies: env.KF_TRUSTED_PROXIES,
    egressIps: env.KF_EGRESS_IPS,
    rotation: {
      minDays: env.KF_ROTATION_MIN_DAYS,
      maxDays: env.KF_ROTATION_MAX_DAYS,
      sweepSeconds: env.KF_ROTATION_SWEEP_SECONDS,
      graceSeconds: env.KF_ROTATION_GRACE_SECONDS,
      retrySeconds: env.KF_ROTATION_RETRY_SECONDS,
      proofSeconds: env.KF_KEY_PROOF_SECONDS,
      maxProofFailures: env.KF_KEY_PROOF_MAX_FAILURES,
    },
    queuePrefix: env.KF_QUEUE_PREFIX,
    logLevel: env.KF_LOG_LEVEL,
    worker: { maxInFlight: env.KF_MAX_IN_FLIGHT, maxAttempts: env.KF_MAX_ATTEMPTS },
    quota: {
      headroomMs: env.KF_QUOTA_HEADROOM_MS,
      spendWindowMs: env.KF_SPEND_WINDOW_MS,
      helpOnlyBlockMs: env.KF_HELP_ONLY_429_BLOCK_MS,
    },
    interactive: {
      share: env.KF_INTERACTIVE_SHARE,
      reserveMs: env.KF_INTERACTIVE_RESERVE_MS,
      maxWaitMs: env.KF_INTERACTIVE_MAX_WAIT_MS,
    },
    limits: {
      maxBatchItems: env.KF_MAX_BATCH_ITEMS,
      maxBodyBytes: Math.round(env.KF_MAX_BODY_MB * 1024 * 1024),
      maxJsonBytes: Math.round(env.KF_MAX_JSON_MB * 1024 * 1024),
    },
    httpKeepAliveMs: env.KF_HTTP_KEEP_ALIVE_MS,
    usage: { rawRetentionDays: env.KF_USAGE_RAW_RETENTION_DAYS },
    runMigrations: env.KF_RUN_MIGRATIONS,
  };
}

/** For entrypoints: load the config or print what is wrong and exit. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): KeyfleetConfig {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
