/**
 * What the migration tests and `npm run bench:migrate` share: a Datacenter stack file and its shared
 * server's, seeding a tenant fast, and an HTTPS client for the customer's entry point.
 *
 * Seeding is done with direct bulk INSERTs of consistent rows (each ticket with its items, an active
 * activation holding a signed update, the ticket pointing at it, and one usage event per activation in
 * the current month), the rows License Central itself would have written: 1,000 tickets take well
 * under a second, where going through the API would sign 1,000 updates.
 */
import * as crypto from "crypto";
import * as https from "https";
import * as mysql from "mysql2/promise";
import { newTicketCode } from "../license-central/src/app";
import { monthOf } from "../license-central/src/validation";
import type { DbConnection } from "../migration/databaseCopy";
import { PARKED_KEY } from "../migration/stackFileChange";

/** A Datacenter stack file whose parked settings let it move up (connection security, the shared FSB). */
export function datacenterStackFile(customer: string): string {
  return `# ${customer}: a Datacenter tenant (migration test fixture).
config:
  lchost:customer: ${customer}   # DNS label and FSB firm code
  lchost:edition: datacenter
  lchost:sharedServer: shared-dc1
  ${PARKED_KEY}:
    # settings for the editions with own servers, brought back by lchost migrate
    connection:
      ipAllowList:
        - 127.0.0.0/8
    fsb@shared:
      mode: shared
      sharedUrl: http://fsb.dc1.lchost.local:7070
      tokenKey: fsbToken
    secret:fsbToken:
      secure: v1:cXV4YmF6YmFyZm9v:ZXhhbXBsZS1jaXBoZXJ0ZXh0LW5vdC1hLXJlYWwtdG9rZW4=
`;
}

/** The shared server of Datacenter tenants (as stacks/Pulumi.shared-dc1.yaml) hosting the given tenants. */
export function sharedServerStackFile(tenants: string[]): string {
  return `# shared-dc1: the shared server of Datacenter tenants (migration test fixture).
config:
  lchost:role: shared-server
  lchost:domain: dc1.lchost.local
  lchost:tenants:
${tenants.map((t) => `    - ${t}`).join("\n")}
  lchost:fsb:
    mode: emulator
    signLatencyMs: 0
`;
}

/** Inserts `tickets` tickets, each activated once, with the usage events of those activations (current month). */
export async function seedTenant(db: DbConnection, tickets: number, now = new Date()): Promise<void> {
  const conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, timezone: "Z" });
  try {
    const chunk = 500;
    for (let start = 0; start < tickets; start += chunk) {
      const t: unknown[][] = [];
      const items: unknown[][] = [];
      const acts: unknown[][] = [];
      const usage: unknown[][] = [];
      for (let i = start; i < Math.min(tickets, start + chunk); i++) {
        const ticket = newTicketCode();
        const key = `seed-${i}`;
        const at = new Date(now.getTime() - (tickets - i) * 1000);
        t.push([ticket, `SEED-${i}`, "admin", key, at]);
        items.push([ticket, 1, 1000 + (i % 7), 1 + (i % 3)]);
        const update = { firmCode: "seed", requestId: key, container: `c-${i}`, items: [{ productCode: 1000 + (i % 7), quantity: 1 + (i % 3) }] };
        acts.push([
          key,
          ticket,
          `c-${i}`,
          "active",
          at,
          at,
          JSON.stringify({ update, signature: crypto.createHash("sha256").update(key).digest("base64"), keyId: "seed" }),
        ]);
        usage.push([crypto.randomUUID(), monthOf(at), "activation", at, key]);
      }
      await conn.beginTransaction();
      await conn.query("INSERT INTO lc_tickets (ticket, order_id, source, active_key, created_at) VALUES ?", [t]);
      await conn.query("INSERT INTO lc_ticket_items (ticket, line_no, product_code, quantity) VALUES ?", [items]);
      await conn.query("INSERT INTO lc_activations (idempotency_key, ticket, container, status, created_at, activated_at, signed_update) VALUES ?", [acts]);
      await conn.query("INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES ?", [usage]);
      await conn.commit();
    }
  } finally {
    await conn.end();
  }
}

export interface EntryResponse {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One request to the customer's HTTPS entry point, on a fresh connection (no keep-alive across HAProxy
 * reloads). `host`: the published name to send as SNI and Host (a shared server routes by it).
 */
export function entryRequest(entryUrl: string, caPem: string, method: string, urlPath: string, json?: unknown, host?: string): Promise<EntryResponse> {
  const u = new URL(urlPath, entryUrl);
  const body = json === undefined ? undefined : JSON.stringify(json);
  const headers: Record<string, string | number> = {
    ...(host ? { host } : {}),
    ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: u.hostname, port: u.port, servername: host, path: u.pathname + u.search, method, ca: caPem, agent: false, headers, timeout: 15_000 },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: any;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Creates a ticket through a line's admin API (does not count as usage). */
export async function adminTicket(adminUrl: string, token: string, orderId: string): Promise<string> {
  const res = await fetch(`${adminUrl}/admin/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ orderId, items: [{ productCode: 4711, quantity: 1 }] }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`admin ticket ${orderId}: ${res.status} ${JSON.stringify(body)}`);
  return body.ticket;
}

/**
 * A closed walk from `start` that takes every ordered pair of distinct nodes exactly once (an Eulerian
 * circuit of the complete directed graph, Hierholzer's algorithm): n·(n-1) steps.
 */
export function everyOrderedPairWalk<T>(nodes: readonly T[], start: T): T[] {
  const unused = new Map<T, T[]>(nodes.map((n) => [n, nodes.filter((m) => m !== n)]));
  const stack: T[] = [start];
  const walk: T[] = [];
  while (stack.length) {
    const at = stack[stack.length - 1];
    const out = unused.get(at)!;
    if (out.length) stack.push(out.shift()!);
    else walk.unshift(stack.pop()!);
  }
  return walk;
}

/**
 * The stack files of a Datacenter tenant on Docker and its shared server (docker-migration test, Docker
 * bench): the images `npm run docker:images` builds, a published HTTPS port each, the own-server
 * settings parked for lchost migrate.
 */
export function dockerStackFiles(
  customer: string,
  shared: string,
  ports: { shared: number; customer: number },
  opts: { sharedFsbForDedicated?: boolean; /** the hosting team's shared FSB (default: a name nothing answers) */ sharedFsbUrl?: string } = {},
): { shared: string; customer: string } {
  // Dedicated signs with the shared FSB: its URL and token key are parked too when the walk visits Dedicated
  const fsb = opts.sharedFsbForDedicated
    ? [
        "    fsb@shared:",
        "      mode: shared",
        `      sharedUrl: ${opts.sharedFsbUrl ?? "http://fsb.dc1.lchost.local:7070"}`,
        "      tokenKey: fsbToken",
        "    secret:fsbToken:",
        "      secure: v1:cXV4YmF6YmFyZm9v:ZXhhbXBsZS1jaXBoZXJ0ZXh0LW5vdC1hLXJlYWwtdG9rZW4=",
      ]
    : [];
  return {
    shared: `config:\n  lchost:role: shared-server\n  lchost:tenants: [${customer}]\n  lchost:domain: lchost.test\n  lchost:httpsPort: ${ports.shared}\n  lchost:images:\n    balancer: lchost/haproxy:dev\n`,
    customer: [
      `# ${customer}: a Datacenter tenant; its own-server settings are parked for lchost migrate`,
      "config:",
      `  lchost:customer: ${customer}`,
      "  lchost:edition: datacenter",
      `  lchost:sharedServer: ${shared}`,
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${ports.customer}`,
      "  lchost:images:",
      "    balancer: lchost/haproxy:dev",
      "  lchost-migration:parked:",
      "    connection:",
      "      ipAllowList:",
      "        - 127.0.0.0/8",
      ...fsb,
      "",
    ].join("\n"),
  };
}

/** Removes every container, network and volume whose name starts with `prefix` (a test's or a bench's leftovers). */
export async function removeDockerObjects(
  docker: { ok(method: string, path: string): Promise<any>; request(method: string, path: string): Promise<unknown> },
  prefix: string,
): Promise<void> {
  const filter = encodeURIComponent(JSON.stringify({ name: [prefix] }));
  const containers = (await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Names: string[] }>;
  for (const c of containers) await docker.request("DELETE", `/containers/${c.Names[0].slice(1)}?force=1&v=1`);
  for (const n of (await docker.ok("GET", `/networks?filters=${filter}`)) as Array<{ Name: string }>) await docker.request("DELETE", `/networks/${n.Name}`);
  const vols = ((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [];
  for (const v of vols) await docker.request("DELETE", `/volumes/${v.Name}`);
}
