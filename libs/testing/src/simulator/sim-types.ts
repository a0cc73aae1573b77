// Canonical types of the Gemini simulator (apps/gemini-sim): its JSON config, admin API bodies and stats.
// The simulator validates these shapes with zod; tests and the benchmark build them.

/** How per-minute limits are enforced: any rolling 60 s window, or clock-aligned UTC minutes. */
export type SimWindowMode = 'rolling' | 'clock';

/** Free tier projects answer 429s with `-FreeTier` quotaIds and free-tier metrics. */
export type SimTier = 'free' | 'paid';

export type SimKeyStatus = 'active' | 'leaked' | 'suspended' | 'service_blocked';

/** Per-project, per-model limits. `tpm`/`tpd` count input tokens (promptTokenCount) only. */
export interface SimModelLimits {
  rpm: number;
  tpm: number;
  /** Requests per Pacific day (midnight America/Los_Angeles). */
  rpd: number;
  /** Input tokens per Pacific day; absent = no daily token limit. */
  tpd?: number;
}

export interface SimKeySpec {
  key: string;
  status?: SimKeyStatus;
  /** IPs or CIDRs the key may be used from; absent or empty = any address. */
  allowedIps?: string[];
}

export interface SimProjectConfig {
  id: string;
  /** Defaults to `free`. */
  tier?: SimTier;
  limits: Record<string, SimModelLimits>;
  /** Defaults to none (add keys later with POST /sim/keys). */
  keys?: Array<string | SimKeySpec>;
  /** Spend limit in US dollars per spend window (Google: per rolling 10 min); absent = none. */
  spendLimitUsd?: number;
  /** Projects of one billing account share one spend window (and the smallest limit among them). */
  billingAccount?: string;
  /** This project's Batch Mode limits over `batchMode`'s (Google's depend on the usage tier). */
  batchLimits?: SimBatchLimits;
}

export interface SimBatchLimits {
  maxConcurrentJobs?: number;
  /** Per model; models not listed fall back to `batchMode.enqueuedTokens`, then its default. */
  enqueuedTokens?: Record<string, number>;
}

export type SimScriptStatus = 400 | 403 | 429 | 500 | 503;

/** One deterministic injected answer, used for the next `count` matching generation requests. */
export interface SimScriptedFault {
  status: SimScriptStatus;
  count: number;
  /** Only requests whose key belongs to this project match. */
  projectId?: string;
  /** Only requests for this model match. */
  model?: string;
  /** The exact JSON body to answer with; otherwise a Google-shaped body is built. */
  body?: Record<string, unknown>;
  /** For a built 429: the violated quotaId (default: the tier's per-minute requests quotaId). */
  quotaId?: string;
  /** For a built 429: the RetryInfo delay, e.g. "26.5s" (default "30s"). */
  retryDelay?: string;
  /** For a built 400/403: the ErrorInfo reason, e.g. "API_KEY_IP_ADDRESS_BLOCKED". */
  reason?: string;
  /** For a built body: the message. */
  message?: string;
  /** A 429 with only a Help link: no QuotaFailure, no RetryInfo (as Google answers since 2026). */
  helpOnly?: boolean;
}

export interface SimFaults {
  /** Fraction (0..1) of admitted-looking requests answered with `errorStatus` instead. */
  errorRate?: number;
  errorStatus?: 429 | 500 | 503;
  /** Fraction of requests whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Fraction of requests delayed by an extra `slowMs`. */
  slowRate?: number;
  slowMs?: number;
  script?: SimScriptedFault[];
  /** Fraction (0..1) of Flex-tier generation requests shed with Google's 503 UNAVAILABLE. */
  flexShedRate?: number;
  /** The next n Flex-tier generation requests are shed (deterministic, for tests). */
  flexShedCount?: number;
  /** Outcomes forced on the next Batch Mode jobs created. */
  batchScript?: SimBatchFault[];
}

/**
 * A forced Batch Mode outcome for the next `count` matching jobs: `expire` ends the job EXPIRED (no results)
 * when it would have succeeded, `fail` ends it FAILED, `failRequests` answers every `failEvery`-th request
 * (1-based: the 2nd, 4th… for 2) with an error line instead of a response.
 */
export interface SimBatchFault {
  outcome: 'expire' | 'fail' | 'failRequests';
  count: number;
  projectId?: string;
  model?: string;
  /** For `failRequests`; default 2. */
  failEvery?: number;
}

/** Batch Mode's time scale and per-project limits (Google: up to 24 h turnaround, 48 h expiry). */
export interface SimBatchModeConfig {
  /** A job is BATCH_STATE_PENDING this long after creation, then RUNNING (default 200). */
  pendingMs?: number;
  /** A job ends (SUCCEEDED) this long after creation (default 1000; Google: up to 24 h). */
  turnaroundMs?: number;
  /** A job not done this long after creation ends EXPIRED (default 172800000, Google's 48 h). */
  expireAfterMs?: number;
  /** Pending or running jobs per project (default 100). */
  maxConcurrentJobs?: number;
  /** Input tokens of pending or running jobs per project and model (default `defaultEnqueuedTokens`). */
  enqueuedTokens?: Record<string, number>;
  /** For models not in `enqueuedTokens` (default 3000000). */
  defaultEnqueuedTokens?: number;
  /** The batchGenerateContent body limit (default 20971520, Google's 20 MB). */
  maxInlineBytes?: number;
  /** The Files API size limit (default 2147483648, Google's 2 GB). */
  maxFileBytes?: number;
}

export type ResolvedSimBatchMode = Required<SimBatchModeConfig>;

export interface SimLatency {
  min: number;
  max: number;
}

/**
 * How the simulator treats standard (`AIza…`) keys, as Google did over 2026: `accepted` (before 19 June),
 * `restricted-only` (unrestricted ones refused: no allowedIps and no API target), `refused` (since September).
 * Keys of any other shape (`AQ.…` auth keys, test names) are always accepted.
 */
export type SimStandardKeys = 'accepted' | 'restricted-only' | 'refused';

/** The refusal body: 401 ACCESS_TOKEN_TYPE_UNSUPPORTED, or (after the cutoff) 400 API_KEY_INVALID. */
export type SimStandardKeyRefusal = 'unauthenticated' | 'api-key-invalid';

/** Key behaviour of a run (config `keyPolicy`, PUT /sim/key-policy merges what it is given). */
export interface SimKeyPolicy {
  /** Default `refused`. */
  standardKeys?: SimStandardKeys;
  /** The body `refused` answers with (default `unauthenticated`); `restricted-only` always says 401. */
  standardKeyRefusal?: SimStandardKeyRefusal;
  /** A key made through the API Keys API answers 401 this long after its creation (default 0). */
  keyPropagationMs?: number;
}

export type ResolvedSimKeyPolicy = Required<SimKeyPolicy>;

/** US dollars per million tokens; output includes thinking. */
export interface SimModelPrice {
  input: number;
  output: number;
}

/** The config as written (PUT /sim/config, SIM_CONFIG file, spawnSimulator). */
export interface SimConfig {
  windowMode?: SimWindowMode;
  latencyMs?: SimLatency;
  projects: SimProjectConfig[];
  faults?: SimFaults;
  keyPolicy?: SimKeyPolicy;
  /** The rolling spend window; default 600000 (Google's 10 minutes), shorter for tests and the bench. */
  spendWindowMs?: number;
  /** Prices per model over the simulator's built-in table (Google's list prices). */
  prices?: Record<string, SimModelPrice>;
  batchMode?: SimBatchModeConfig;
}

export interface ResolvedSimKey {
  key: string;
  status: SimKeyStatus;
  allowedIps: string[];
}

export interface ResolvedSimProject {
  id: string;
  tier: SimTier;
  limits: Record<string, SimModelLimits>;
  keys: ResolvedSimKey[];
  spendLimitUsd?: number;
  billingAccount?: string;
  batchLimits?: SimBatchLimits;
}

export interface ResolvedSimFaults {
  errorRate: number;
  errorStatus: 429 | 500 | 503;
  dropRate: number;
  slowRate: number;
  slowMs: number;
  /** Remaining scripted answers (counts go down as they are used). */
  script: SimScriptedFault[];
  flexShedRate: number;
  flexShedCount: number;
  batchScript: SimBatchFault[];
}

/** The config with every default filled in, as GET /sim/config returns it. */
export interface ResolvedSimConfig {
  windowMode: SimWindowMode;
  latencyMs: SimLatency;
  projects: ResolvedSimProject[];
  faults: ResolvedSimFaults;
  keyPolicy: ResolvedSimKeyPolicy;
  spendWindowMs: number;
  prices: Record<string, SimModelPrice>;
  batchMode: ResolvedSimBatchMode;
}

/** POST /sim/keys body. */
export interface SimAddKeyRequest extends SimKeySpec {
  projectId: string;
}

/** PATCH /sim/keys/:key body; `allowedIps: null` lifts the restriction. */
export interface SimKeyPatch {
  status?: SimKeyStatus;
  allowedIps?: string[] | null;
}

export interface SimModelStats {
  admitted: number;
  refused429: number;
  refusedByQuotaId: Record<string, number>;
  /** Sum of promptTokenCount over admitted requests. */
  admittedTokens: number;
  /** Most admitted requests / input tokens ever seen in one rolling 60 s window. */
  maxRequestsInRollingWindow: number;
  maxTokensInRollingWindow: number;
  /** Most admitted requests / input tokens ever seen in one clock-aligned minute. */
  maxRequestsInClockMinute: number;
  maxTokensInClockMinute: number;
  /** Admitted in the current Pacific day. */
  requestsToday: number;
  tokensToday: number;
  limits: SimModelLimits;
  /** True if any rolling window, clock minute or Pacific day ever held more than its limit. */
  overLimit: boolean;
}

export interface SimTotals {
  /** Every request to the Gemini/OpenAI surface (admin API excluded). */
  requests: number;
  admitted: number;
  refused429: number;
  errors4xx: number;
  errors5xx: number;
  /** Requests whose socket was destroyed by the dropRate fault. */
  dropped: number;
  /** When the first and the last admitted request arrived (the simulator's clock, epoch ms), null before any. */
  firstAdmittedAt: number | null;
  lastAdmittedAt: number | null;
  /** The most requests on the Gemini/OpenAI surface that were open (arrived, not yet answered) at once. */
  mostOpen: number;
  /** Requests per API version of the path they came on (`v1`, `v1beta`). */
  byApiVersion: Record<string, number>;
  batchMode: SimBatchModeTotals;
  flex: SimFlexTotals;
}

/** Batch Mode jobs and requests; none of it counts in the interactive totals or windows above. */
export interface SimBatchModeTotals {
  jobsCreated: number;
  jobsSucceeded: number;
  jobsFailed: number;
  jobsCancelled: number;
  jobsExpired: number;
  /** Requests of finished jobs answered with a response / with an error line. */
  requestsAnswered: number;
  requestsFailed: number;
  /** Creations refused with 429 (concurrent jobs, enqueued tokens). */
  refused429: number;
  /** Spend charged for answered requests, at half the interactive price (micro-dollars). */
  spendMicros: number;
}

/** Flex-tier generation requests (they are also in the interactive totals). */
export interface SimFlexTotals {
  requests: number;
  admitted: number;
  shed: number;
  /** Spend charged for admitted Flex requests, at half the interactive price (micro-dollars). */
  spendMicros: number;
}

/** One billing account's (or project's) spend, in micro-dollars. */
export interface SimSpendStats {
  admittedMicros: number;
  /** The most ever admitted within one rolling spend window. */
  maxMicrosInWindow: number;
  /** The limit per spend window, null = none. */
  limitMicros: number | null;
  refused429: number;
}

export interface SimStats {
  totals: SimTotals;
  /** Billing account (or project id) → spend. */
  spend: Record<string, SimSpendStats>;
  /** projectId → model → stats. */
  projects: Record<string, Record<string, SimModelStats>>;
  /** Last four characters of a presented key → its request count. */
  keys: Record<string, { requests: number }>;
}
