/**
 * The reference License Central's environment contract: the one place that names its variables,
 * defaults and ports. The service reads these; the Pulumi components and the sandbox write them.
 */
export const LC_ENV = {
  /** Public port: depot (end users) and, where the edition has them, web services. */
  port: "LC_PORT",
  /** Internal admin port (ticket creation for editions without web services); never published. */
  adminPort: "LC_ADMIN_PORT",
  host: "LC_HOST",
  /** Secret: bearer token for the admin API. */
  adminToken: "LC_ADMIN_TOKEN",
  edition: "LC_EDITION",
  /** "true" | "false": whether /ws/v1 web services are served. */
  webServices: "LC_WEB_SERVICES",
  /** Secret: bearer token the customer's ERP/CRM presents to /ws/v1 (required when LC_WEB_SERVICES=true). */
  wsToken: "LC_WS_TOKEN",
  /** Monthly limit of activations + deactivations. */
  quotaActivations: "LC_QUOTA_ACTIVATIONS_PER_MONTH",
  /** Monthly limit of web-service calls (0 when the edition has none). */
  quotaWebServiceCalls: "LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH",
  /** "soft" (served, flagged) | "hard" (429). */
  quotaMode: "QUOTA_MODE",
  dbHost: "DB_HOST",
  dbPort: "DB_PORT",
  dbName: "DB_NAME",
  dbUser: "DB_USER",
  /** Secret. */
  dbPassword: "DB_PASSWORD",
  /** Connections per process in the MariaDB pool. */
  dbPoolSize: "DB_POOL_SIZE",
  /** Requests that may wait for a pooled connection; beyond that, 503 at once. */
  dbQueueLimit: "DB_QUEUE_LIMIT",
  /** Milliseconds a new connection may take to connect and authenticate. */
  dbConnectTimeoutMs: "DB_CONNECT_TIMEOUT_MS",
  /** Milliseconds a request may wait for a pooled connection. */
  dbAcquireTimeoutMs: "DB_ACQUIRE_TIMEOUT_MS",
  /** Milliseconds one statement may take; then its connection is dropped and the request answers 503. */
  dbQueryTimeoutMs: "DB_QUERY_TIMEOUT_MS",
  /** Base URL of the FSB (emulator or gateway to the real box), e.g. http://fsb:7070. */
  fsbUrl: "FSB_URL",
  /** The customer's firm code on the FSB. */
  fsbFirmCode: "FSB_FIRM_CODE",
  /** Secret: the bearer token of that firm on the FSB. */
  fsbToken: "FSB_TOKEN",
  /**
   * Optional: the firm's Ed25519 public key (SPKI PEM) that every signed update must verify against. Unset:
   * fetched once from the FSB (GET /v1/firms/{firm}/public-key) and pinned for the life of the line.
   */
  fsbPublicKey: "FSB_PUBLIC_KEY",
  /** Request body limit in bytes. */
  bodyLimitBytes: "LC_BODY_LIMIT_BYTES",
  logLevel: "LOG_LEVEL",
  /**
   * "true" | "false": until the maintenance state is written (admin API, or a restore that brings the
   * row back), the line treats maintenance as on, so lines started against a new, still empty database
   * never serve it (lchost migrate sets it where data moves to a new database).
   */
  startInMaintenance: "LC_START_IN_MAINTENANCE",
} as const;

export const LC_DEFAULTS = {
  port: 8080,
  adminPort: 8081,
  host: "0.0.0.0",
  dbPort: 3306,
  quotaMode: "soft",
  webServices: false,
  edition: "reference",
  dbPoolSize: 10,
  dbQueueLimit: 500,
  dbConnectTimeoutMs: 2000,
  dbAcquireTimeoutMs: 1000,
  dbQueryTimeoutMs: 3000,
  bodyLimitBytes: 65536,
  logLevel: "info",
  startInMaintenance: false,
} as const;

export const LC_HEALTH_PATH = "/healthz";
export const LC_READY_PATH = "/readyz";
