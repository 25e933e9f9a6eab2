/**
 * shared-dc1 with its Datacenter tenants acme (soft quota) and initech (hard quota) on the real shared
 * MariaDB, shared FSB and shared HTTPS entry point.
 */
import * as crypto from "crypto";
import * as mysql from "mysql2/promise";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";
import { editionFacts } from "../../model/catalog";
import { createTicket, gatewayRequest } from "./support/gatewayClient";

describe("Datacenter tenants on a shared server", () => {
  let sb: SandboxHandle;
  const conns: mysql.Connection[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ stacks: ["shared-dc1"], tenants: ["acme", "initech"], name: `e2e-tenants-${process.pid}`, removeOnStop: true });
  });
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    await sb?.stop();
  });

  async function connectAs(tenant: string): Promise<mysql.Connection> {
    const db = sb.endpoints["shared-dc1"].databases[0];
    const cred = sb.credentials[tenant].database!;
    const c = await mysql.createConnection({ host: db.host, port: db.port, user: cred.user, password: cred.password, database: cred.name });
    conns.push(c);
    return c;
  }

  describe("tenant isolation", () => {
    it("tenant A's database user cannot read tenant B's schema", async () => {
      const acme = await connectAs("acme");
      await expect(acme.query("SELECT COUNT(*) FROM lc_initech.lc_tickets")).rejects.toMatchObject({
        code: "ER_TABLEACCESS_DENIED_ERROR",
        message: expect.stringMatching(/SELECT command denied to user 'lc_acme'@'[^']+' for table `lc_initech`\.`lc_tickets`/),
      });
      await expect(acme.query("USE lc_initech")).rejects.toMatchObject({
        code: "ER_DBACCESS_DENIED_ERROR",
        message: expect.stringMatching(/Access denied for user 'lc_acme'@'[^']+' to database 'lc_initech'/),
      });
    });

    it("tenant A's database user cannot write tenant B's schema", async () => {
      const acme = await connectAs("acme");
      await expect(
        acme.query("INSERT INTO lc_initech.lc_usage_events (id, month, kind, at, ref) VALUES (UUID(), '2000-01', 'activation', NOW(), 'x')"),
      ).rejects.toMatchObject({ code: "ER_TABLEACCESS_DENIED_ERROR", message: expect.stringContaining("INSERT command denied to user 'lc_acme'") });
      await expect(acme.query("DROP TABLE lc_initech.lc_tickets")).rejects.toMatchObject({ code: "ER_TABLEACCESS_DENIED_ERROR" });
      await expect(acme.query("CREATE DATABASE lc_acme2")).rejects.toMatchObject({ code: "ER_DBACCESS_DENIED_ERROR" });
    });

    it("tenant A's FSB token cannot sign for tenant B's firm on the shared FSB", async () => {
      const fsb = sb.endpoints["shared-dc1"].fsbs[0];
      const sign = (firm: string, token: string) =>
        fetch(`${fsb.url}/v1/firms/${firm}/license-updates`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ requestId: crypto.randomUUID(), container: "3-1234567", items: [{ productCode: 1 }] }),
        });
      const acmeToken = sb.credentials.acme.fsb!.token;
      expect((await sign("initech", acmeToken)).status).toBe(403);
      expect((await sign("acme", acmeToken)).status).toBe(201);
    });

    it("routes each tenant's host name to its own License Central and refuses web services (403)", async () => {
      const ticket = await createTicket(sb, "acme", `iso-${crypto.randomUUID()}`);
      // acme's ticket is unknown under initech's host name: another instance, another database
      const other = await gatewayRequest(sb, "initech", {
        method: "POST",
        path: `/depot/v1/tickets/${ticket}/activations`,
        body: { container: "3-1234567", idempotencyKey: crypto.randomUUID() },
      });
      expect(other.status).toBe(404);
      const ws = await gatewayRequest(sb, "acme", { path: "/ws/v1/usage", clientCertificate: true });
      expect(ws.status).toBe(403);
      const admin = await gatewayRequest(sb, "acme", { method: "POST", path: "/admin/v1/tickets", body: {} });
      expect(admin.status).toBe(404);
    });
  });

  describe("monthly quota at run time (the month's usage seeded in the tenant's database, the crossing activations through the gateway)", () => {
    const quota = editionFacts("datacenter").quotas.activationsPerMonth;

    async function seedUsage(tenant: string, count: number): Promise<void> {
      const c = await connectAs(tenant);
      const month = new Date().toISOString().slice(0, 7);
      const rows = Array.from({ length: count }, (_, i) => [crypto.randomUUID(), month, "activation", new Date(), `seeded-${i}`]);
      for (let i = 0; i < rows.length; i += 500) await c.query("INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES ?", [rows.slice(i, i + 500)]);
    }

    async function activate(tenant: string) {
      const ticket = await createTicket(sb, tenant, `quota-${crypto.randomUUID()}`);
      return gatewayRequest(sb, tenant, {
        method: "POST",
        path: `/depot/v1/tickets/${ticket}/activations`,
        body: { container: "3-7654321", idempotencyKey: crypto.randomUUID() },
      });
    }

    it(`soft mode (acme): the ${quota}th activation is served without the signal, the next one carries X-Quota-Exceeded`, async () => {
      await seedUsage("acme", quota - 1);
      const last = await activate("acme");
      expect(last.status).toBe(201);
      expect(last.headers["x-quota-exceeded"]).toBeUndefined();
      const over = await activate("acme");
      expect(over.status).toBe(201);
      expect(over.headers["x-quota-exceeded"]).toBe("activations");
    });

    it("hard mode (initech): the activation over the quota is refused with 429 naming the limit", async () => {
      await seedUsage("initech", quota);
      const over = await activate("initech");
      expect(over.status).toBe(429);
      expect(over.body.message).toContain(`limit ${quota} per month`);
    });
  });
});
