import { ConfigError as FsbConfigError, parseFsbConfig } from "../../fsb-emulator/src/config";
import { FSB_DEFAULTS } from "../../fsb-emulator/src/env";
import { ConfigError as LcConfigError, parseLcConfig } from "../../license-central/src/config";
import { LC_DEFAULTS } from "../../license-central/src/env";

const FSB_OK = { FSB_FIRM_TOKENS: "ACME=token-acme-1,BETA=token-beta-1" };

describe("FSB emulator configuration", () => {
  test("uses the documented defaults when only the firm tokens are given", () => {
    const c = parseFsbConfig(FSB_OK);
    expect(c).toMatchObject({
      port: FSB_DEFAULTS.port,
      host: FSB_DEFAULTS.host,
      dataDir: FSB_DEFAULTS.dataDir,
      signLatencyMs: 0,
      queueLimit: FSB_DEFAULTS.queueLimit,
      bodyLimitBytes: FSB_DEFAULTS.bodyLimitBytes,
      idempotencyLimit: FSB_DEFAULTS.idempotencyLimit,
      logLevel: "info",
    });
    expect([...c.firmTokens]).toEqual([
      ["ACME", "token-acme-1"],
      ["BETA", "token-beta-1"],
    ]);
  });

  test.each([
    ["FSB_PORT", "70000"],
    ["FSB_PORT", "http"],
    ["FSB_SIGN_LATENCY_MS", "-5"],
    ["FSB_QUEUE_LIMIT", "0"],
    ["FSB_DATA_DIR", "relative/dir"],
    ["FSB_BODY_LIMIT_BYTES", "12"],
    ["FSB_IDEMPOTENCY_LIMIT", "lots"],
    ["LOG_LEVEL", "loud"],
  ])("refuses %s=%s with a message naming the variable and the value", (variable, value) => {
    expect(() => parseFsbConfig({ ...FSB_OK, [variable]: value })).toThrow(FsbConfigError);
    expect(() => parseFsbConfig({ ...FSB_OK, [variable]: value })).toThrow(`${variable}=${JSON.stringify(value)} is invalid`);
  });

  test.each([[undefined], ["ACME"], ["ACME=short"], ["ACME=token-1111,ACME=token-2222"], ["bad firm=token-1111"]])(
    "refuses FSB_FIRM_TOKENS=%s without echoing any token",
    (value) => {
      let err: Error | undefined;
      try {
        parseFsbConfig({ FSB_FIRM_TOKENS: value });
      } catch (e) {
        err = e as Error;
      }
      expect(err).toBeInstanceOf(FsbConfigError);
      expect(err!.message).toMatch(/^FSB_FIRM_TOKENS=<redacted> is invalid/);
      expect(err!.message).not.toMatch(/token-\d/);
    },
  );
});

const LC_OK = {
  LC_ADMIN_TOKEN: "admin-token-123",
  DB_HOST: "db",
  DB_NAME: "lc",
  DB_USER: "lc",
  DB_PASSWORD: "pw-123456",
  FSB_URL: "http://fsb:7070/",
  FSB_FIRM_CODE: "ACME",
  FSB_TOKEN: "fsb-token-123",
};

describe("License Central configuration", () => {
  test("uses the documented defaults for everything optional", () => {
    const c = parseLcConfig(LC_OK);
    expect(c).toMatchObject({
      port: LC_DEFAULTS.port,
      adminPort: LC_DEFAULTS.adminPort,
      host: LC_DEFAULTS.host,
      edition: LC_DEFAULTS.edition,
      webServices: false,
      wsToken: null,
      quotaActivationsPerMonth: null,
      quotaWebServiceCallsPerMonth: null,
      quotaMode: "soft",
      bodyLimitBytes: LC_DEFAULTS.bodyLimitBytes,
      startInMaintenance: false,
      db: { host: "db", port: 3306, database: "lc", user: "lc", password: "pw-123456", poolSize: LC_DEFAULTS.dbPoolSize },
      fsb: { url: "http://fsb:7070", firmCode: "ACME", token: "fsb-token-123" },
    });
  });

  test("reads quotas, hard mode and web services with their token", () => {
    const c = parseLcConfig({
      ...LC_OK,
      LC_QUOTA_ACTIVATIONS_PER_MONTH: "1000",
      LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "0",
      QUOTA_MODE: "hard",
      LC_WEB_SERVICES: "true",
      LC_WS_TOKEN: "ws-token-123",
    });
    expect(c).toMatchObject({ quotaActivationsPerMonth: 1000, quotaWebServiceCallsPerMonth: 0, quotaMode: "hard", webServices: true, wsToken: "ws-token-123" });
  });

  test("LC_START_IN_MAINTENANCE=true makes a line start in maintenance", () => {
    expect(parseLcConfig({ ...LC_OK, LC_START_IN_MAINTENANCE: "true" }).startInMaintenance).toBe(true);
  });

  test.each([
    ["LC_PORT", "-1"],
    ["LC_ADMIN_PORT", "8080"],
    ["LC_WEB_SERVICES", "yes"],
    ["LC_START_IN_MAINTENANCE", "on"],
    ["LC_QUOTA_ACTIVATIONS_PER_MONTH", "1e3"],
    ["LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH", "-2"],
    ["QUOTA_MODE", "strict"],
    ["DB_PORT", "0"],
    ["DB_NAME", "lc;drop"],
    ["DB_POOL_SIZE", "0"],
    ["FSB_URL", "fsb:7070"],
    ["FSB_URL", "ftp://fsb"],
    ["FSB_FIRM_CODE", "A CME"],
    ["LC_BODY_LIMIT_BYTES", "100"],
    ["LOG_LEVEL", "chatty"],
    ["FSB_PUBLIC_KEY", "not a key"],
  ])("refuses %s=%s with a message naming the variable and the value", (variable, value) => {
    expect(() => parseLcConfig({ ...LC_OK, [variable]: value })).toThrow(LcConfigError);
    expect(() => parseLcConfig({ ...LC_OK, [variable]: value })).toThrow(`${variable}=${JSON.stringify(value)} is invalid`);
  });

  test.each(["LC_ADMIN_TOKEN", "DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD", "FSB_URL", "FSB_FIRM_CODE", "FSB_TOKEN"])(
    "refuses to start without %s, naming it",
    (variable) => {
      const env: Record<string, string | undefined> = { ...LC_OK, [variable]: undefined };
      expect(() => parseLcConfig(env)).toThrow(new RegExp(`^${variable}=.* is invalid: required`));
    },
  );

  test("requires LC_WS_TOKEN when web services are on, and never echoes secrets in the message", () => {
    expect(() => parseLcConfig({ ...LC_OK, LC_WEB_SERVICES: "true" })).toThrow(/^LC_WS_TOKEN=<redacted> is invalid: required/);
    expect(() => parseLcConfig({ ...LC_OK, LC_ADMIN_TOKEN: "short" })).toThrow(/^LC_ADMIN_TOKEN=<redacted> is invalid/);
  });
});
