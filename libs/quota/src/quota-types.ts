/** One project's limits for one model (null = no such limit). */
export interface ProjectLimits {
  projectId: string;
  rpm: number;
  tpm: number;
  rpd: number | null;
  tpd: number | null;
  /** Spend limit per spend window (rolling 10 min) in micro-dollars; null or absent = none. */
  spendLimit?: number | null;
  /**
   * Where the project's spend is counted and limited: its billing group (`g:<name>`, one limit for
   * every project of the group) or, absent, the project alone (`p:<projectId>`).
   */
  spendScope?: string;
}

/** A model's list prices in US dollars per million tokens, i.e. micro-dollars per token. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** What one request is expected to cost: its prices and the output tokens it is expected to produce. */
export interface SpendEstimate extends ModelPrice {
  outputTokens: number;
}

export interface ReserveRequest {
  model: string;
  /** Estimated input tokens of the request. */
  estimatedTokens: number;
  /** Projects serving the model with at least one usable key (the caller filters keys). */
  candidates: ProjectLimits[];
  /** 0..1, default 1: the fraction of each limit this caller may fill (batch work leaves room for interactive calls). */
  capacityShare?: number;
  /**
   * Default 0. When every candidate is full of its rolling windows, book the moment room frees if it is
   * at most this far away: the caller then sends at that moment (`dueInMs`) instead of asking again.
   */
  bookAheadMs?: number;
  /** Prices and expected output: the request's cost is reserved in the spend window too. Absent: no spend. */
  spend?: SpendEstimate;
}

/** The spend part of a reservation: micro-dollars held in `scope`'s window, at the prices used. */
export interface SpendHold extends ModelPrice {
  micros: number;
  scope: string;
  outputTokens: number;
  /** Whether the scope has a spend limit: only then does a lower actual cost let more in at once. */
  limited: boolean;
}

/** What one admitted request holds; hand it back to `correct` or `release`. */
export interface Reservation {
  id: string;
  model: string;
  projectId: string;
  /** Tokens reserved (the estimate). */
  tokens: number;
  /** Redis time of the reservation: the entry's place in the rolling window (a booking's is ahead). */
  atMs: number;
  /** Start of the Pacific day the reservation counts against. */
  dayStartMs: number;
  /** The estimated cost held in the spend window (absent when no prices were given). */
  spend?: SpendHold;
}

export type ReserveResult =
  /** dueInMs: 0, or for a booking how long until the request may leave (Google must not count it earlier). */
  | { kind: 'reserved'; reservation: Reservation; dueInMs: number }
  /** The earliest moment (Redis clock) one candidate will have room, if nothing else is reserved meanwhile. */
  | { kind: 'wait'; retryAtMs: number; waitMs: number }
  /** The request can never pass on any candidate (too many tokens, a zero limit), or there are no candidates. */
  | { kind: 'impossible'; reason: string };

export interface CapacityRequest {
  model: string;
  /** Input tokens one request is taken to have (a typical estimate; at least 1). */
  tokensPerRequest: number;
  candidates: ProjectLimits[];
  capacityShare?: number;
  /** Count what may be booked within this many ms too (as `reserve` would book it). */
  bookAheadMs?: number;
  /** Micro-dollars one request is taken to cost (0 or absent: spend is not counted). */
  spendPerRequest?: number;
}

/** How many such requests would pass now (or be booked), or when that changes. */
export type CapacityResult =
  { room: number; waitMs?: undefined } | { room: 0; retryAtMs: number; waitMs: number };

export interface UsageCounts {
  requests: number;
  tokens: number;
}

/** Spend in micro-dollars: of the spend scope in its rolling window, and of the project today (all models). */
export interface SpendUsage {
  scope: string;
  windowMicros: number;
  todayMicros: number;
  /** What the spend limit still allows in the window (null = no limit). */
  remainingMicros: number | null;
}

export interface ProjectUsage {
  projectId: string;
  model: string;
  /** Reservations still inside the rolling window (windowMs + headroomMs). */
  window: UsageCounts;
  /** Reservations in the current Pacific day. */
  today: UsageCounts;
  /** What the full limits still allow (null = unlimited). */
  remaining: { rpm: number; tpm: number; rpd: number | null; tpd: number | null };
  blockedUntil: number | null;
  spend: SpendUsage;
}

export interface QuotaEngineOptions {
  /** Key prefix shared by every process of one deployment. */
  prefix: string;
  /** Extra time each reservation stays in the window, against clock skew with Google. Default 1000. */
  headroomMs?: number;
  /** Rolling window length. Default 60000. */
  windowMs?: number;
  /** Rolling window of the spend limit (Google: 10 minutes). Default 600000. */
  spendWindowMs?: number;
  /**
   * How long an uncorrected reservation is remembered after it left the window, so that a late
   * `correct`/`release` still fixes the day counters exactly once. Default 600000 (10 min).
   */
  retentionMs?: number;
  /** Pacific day starts around a time; injectable for tests. Default: `pacificDayBoundaries`. */
  dayBoundaries?: (aroundMs: number) => number[];
  /**
   * Test seam, production leaves it unset (the scripts then read Redis TIME): a number shifts Redis
   * TIME by that many ms; `{ frozenAtMs }` makes the scripts use that time instead.
   */
  testClock?: () => number | { frozenAtMs: number };
}
