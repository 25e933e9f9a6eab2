import { buildLcApps } from "../../license-central/src/app";
import { parseLcConfig } from "../../license-central/src/config";
import { isDatabaseUnavailable } from "../../license-central/src/httpErrors";
import { freePort } from "../../sandbox/mariadbProcess";
import { pino } from "../support/services";

/**
 * When a line's database node is gone, the line answers 503 (the balancer re-sends the request to a
 * line on another cluster node), not 500. Found by the HA e2e test: killing one Galera node made its
 * line fail every request in ~2 ms until the health check took it out.
 */
describe("License Central: its database is unreachable", () => {
  test("an activation is answered 503 database_unavailable with Retry-After, so the balancer can re-send it", async () => {
    const port = await freePort(); // nothing listens here
    const config = parseLcConfig({
      LC_ADMIN_TOKEN: "admin-token-abcdefgh",
      DB_HOST: "127.0.0.1",
      DB_PORT: String(port),
      DB_NAME: "lc",
      DB_USER: "lc",
      DB_PASSWORD: "secret-password",
      FSB_URL: "http://127.0.0.1:1",
      FSB_FIRM_CODE: "acme",
      FSB_TOKEN: "fsb-token-abcdefgh",
    });
    const lc = buildLcApps(config, { logger: pino({ level: "silent" }) });
    try {
      const res = await lc.publicApp.inject({
        method: "POST",
        url: "/depot/v1/tickets/AAAAA-BBBBB-CCCCC-DDDDD-EEEEE/activations",
        payload: { container: "3-1234567", idempotencyKey: "k-1" },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.json()).toMatchObject({ error: "database_unavailable", message: expect.stringContaining("ECONNREFUSED") });
    } finally {
      await lc.close();
    }
  });

  test("request errors stay what they are", () => {
    expect(isDatabaseUnavailable({ code: "ER_DUP_ENTRY" })).toBe(false);
    expect(isDatabaseUnavailable({ code: "ER_LOCK_DEADLOCK" })).toBe(false);
    expect(isDatabaseUnavailable({ code: "PROTOCOL_CONNECTION_LOST", fatal: true })).toBe(true);
  });
});
