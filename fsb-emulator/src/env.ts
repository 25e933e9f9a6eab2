/**
 * The FSB emulator's environment contract: the one place that names its variables, defaults and port.
 * The emulator reads these; the Pulumi components and the sandbox write them.
 */
export const FSB_ENV = {
  /** TCP port of the HTTP API. */
  port: "FSB_PORT",
  /** Address to listen on. */
  host: "FSB_HOST",
  /** Directory where per-firm Ed25519 key pairs are persisted (files 0600). */
  dataDir: "FSB_DATA_DIR",
  /** Emulated hardware latency per signature, in milliseconds. */
  signLatencyMs: "FSB_SIGN_LATENCY_MS",
  /** Maximum number of queued signing requests; beyond it: 503 with Retry-After. */
  queueLimit: "FSB_QUEUE_LIMIT",
  /** Secret: which bearer token opens which firm, as `FIRM=TOKEN,FIRM2=TOKEN2`. */
  firmTokens: "FSB_FIRM_TOKENS",
  /** Request body limit in bytes (larger bodies: 413). */
  bodyLimitBytes: "FSB_BODY_LIMIT_BYTES",
  /** Idempotency records kept per firm (one file each); the oldest are evicted beyond it. */
  idempotencyLimit: "FSB_IDEMPOTENCY_LIMIT",
  /** pino log level. */
  logLevel: "LOG_LEVEL",
} as const;

export const FSB_DEFAULTS = {
  port: 7070,
  host: "0.0.0.0",
  dataDir: "/var/lib/fsb",
  signLatencyMs: 0,
  queueLimit: 1000,
  bodyLimitBytes: 65536,
  idempotencyLimit: 100000,
  logLevel: "info",
} as const;

export const FSB_HEALTH_PATH = "/healthz";
