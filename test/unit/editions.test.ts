import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { StackPlanner } from "../../planner/planWithReferences";
import { editionComponentType } from "../../editions/editionComponentTypes";
import { editionCatalog } from "../../model/catalog";
import { isSecretValue, unwrapSecrets } from "../../planner/planValues";
import { container, containers, env, planValues, upload } from "./planHelpers";
import { datacenterValues, dedicatedValues, haValues, sharedValues } from "./stackFixtures";

const HAPROXY_CFG = "/usr/local/etc/haproxy/haproxy.cfg";

function hpValues(): Record<string, unknown> {
  return { ...haValues(), edition: "high-performance", lines: undefined };
}

describe("High Availability Package", () => {
  it("runs one License Central line and one FSB per configured line", async () => {
    const plan = await planValues("wayne", haValues());
    const lines = containers(plan).filter((c) => /^lc-wayne-line-\d$/.test(String(c.inputs.name)));
    const fsbs = containers(plan).filter((c) => /^lc-wayne-fsb-\d$/.test(String(c.inputs.name)));
    expect(lines).toHaveLength(3);
    expect(fsbs).toHaveLength(3);
  });

  it("wires each line to its own FSB and to a different database node", async () => {
    const plan = await planValues("wayne", haValues());
    for (const line of [1, 2, 3]) {
      const e = env(container(plan, `lc-wayne-line-${line}`));
      expect(e.FSB_URL).toBe(`http://lc-wayne-fsb-${line}:7070`);
      expect(e.DB_HOST).toBe(line === 1 ? "lc-wayne-db" : `lc-wayne-db-${line}`);
    }
  });

  it("lets only requests that passed the gateway's checks carry License Central's web-service token", async () => {
    const plan = await planValues("wayne", haValues());
    const token = env(container(plan, "lc-wayne-line-1")).LC_WS_TOKEN as any;
    expect(isSecretValue(token)).toBe(true);
    const cfg = String(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).content);
    const lines = cfg.split("\n").map((l) => l.trim());
    const setAt = lines.indexOf(`http-request set-header Authorization "Bearer ${token.value}" if web_service`);
    const authAt = lines.findIndex((l) => l.startsWith("http-request auth"));
    expect(setAt).toBeGreaterThan(authAt);
    expect(authAt).toBeGreaterThan(0);
  });

  it("runs a Galera cluster of at least 3 nodes, all in one cluster address list", async () => {
    const plan = await planValues("wayne", haValues());
    const dbs = containers(plan).filter((c) => (c.inputs.labels as any[]).some((l) => l.label === "lchost.role" && l.value === "database"));
    expect(dbs.length).toBeGreaterThanOrEqual(editionCatalog().editions["high-availability"].database.nodes);
    for (const db of dbs) {
      const cnf = String(upload(db, "/etc/lchost/db/90-lchost.cnf").content);
      expect(cnf).toContain("wsrep_cluster_address = gcomm://lc-wayne-db:4567,lc-wayne-db-2:4567,lc-wayne-db-3:4567");
    }
  });

  it("starts every database node with the rendered script, replacing the image's entrypoint", async () => {
    const plan = await planValues("wayne", haValues());
    for (const name of ["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db-3"]) {
      const db = container(plan, name);
      expect(db.inputs.entrypoints).toEqual(["/bin/sh", "/etc/lchost/db/start.sh"]);
      // a Galera node keeps mariadbd as its child (its view survives a SIGTERM: renderDatabaseStartScript)
      expect(String(upload(db, "/etc/lchost/db/start.sh").content)).toContain(
        'mariadbd --defaults-extra-file="$CONFIG" --user=mysql --datadir="$DATADIR" $EXTRA $NOTIFYOPT &',
      );
    }
  });

  it("balances over exactly its lines, health-checking /readyz", async () => {
    const plan = await planValues("wayne", haValues());
    const cfg = String(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).content);
    const servers = cfg.split("\n").filter((l) => l.trim().startsWith("server "));
    expect(servers.map((s) => s.trim().split(/\s+/)[2])).toEqual(["lc-wayne-line-1:8080", "lc-wayne-line-2:8080", "lc-wayne-line-3:8080"]);
    expect(cfg).toContain("option httpchk GET /readyz");
  });

  it("scales lines with lchost:lines", async () => {
    const plan = await planValues("wayne", { ...haValues(), lines: 4 });
    const cfg = String(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).content);
    expect(cfg.split("\n").filter((l) => l.trim().startsWith("server "))).toHaveLength(4);
  });

  it("gives every long-running container a restart policy and a health check", async () => {
    const plan = await planValues("wayne", haValues());
    for (const c of containers(plan)) {
      expect({ name: c.inputs.name, restart: c.inputs.restart }).toEqual({ name: c.inputs.name, restart: "unless-stopped" });
      expect((c.inputs.healthcheck as any)?.tests?.length).toBeGreaterThan(0);
    }
  });

  it("configures every License Central line with the customer's booked total: the per-line quota times the lines", async () => {
    const plan = await planValues("wayne", haValues()); // 3 lines
    const q = editionCatalog().editions["high-availability"].quotas;
    for (const line of [1, 2, 3]) {
      const e = env(container(plan, `lc-wayne-line-${line}`));
      expect(e.LC_QUOTA_ACTIVATIONS_PER_MONTH).toBe(String(3 * q.activationsPerMonth));
      expect(e.LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH).toBe(String(3 * q.webServiceCallsPerMonth));
    }
  });

  it("reports edition, line count and availability target as stack outputs", async () => {
    const plan = await planValues("wayne", haValues());
    expect(plan.outputs).toMatchObject({ edition: "high-availability", lines: 3, availabilityPercent: 99.9, allowedDowntimeMinutesPerMonth: 43.2 });
    expect((plan.outputs as any).endpoints.webServices).toBe("https://wayne.lchost.local:443/ws/v1");
  });
});

describe("secrets", () => {
  it("passes database password and tokens to License Central only as Pulumi secrets", async () => {
    const plan = await planValues("wayne", haValues());
    const e = env(container(plan, "lc-wayne-line-1"));
    for (const key of ["DB_PASSWORD", "FSB_TOKEN", "LC_ADMIN_TOKEN"]) expect(isSecretValue(e[key])).toBe(true);
    expect(isSecretValue(e.DB_HOST)).toBe(false);
  });

  it("marks uploaded files that hold passwords or keys as secret", async () => {
    const plan = await planValues("wayne", haValues());
    expect(upload(container(plan, "lc-wayne-db"), "/etc/lchost/db/init.sql").secret).toBe(true);
    expect(upload(container(plan, "lc-wayne-gateway"), "/usr/local/etc/haproxy/tls/server.pem").secret).toBe(true);
    expect(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).secret).toBe(true);
  });

  it("stores the basic-auth password in haproxy.cfg only as a SHA-512 crypt hash", async () => {
    const plan = await planValues("wayne", haValues());
    const cfg = String(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).content);
    expect(cfg).toMatch(/user crm password \$6\$[A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}/);
    expect(cfg).not.toContain("planned-secret-value");
  });

  it("keeps secret containers' env and uploads secret in their outputs too", async () => {
    const plan = await planValues("wayne", haValues());
    expect(container(plan, "lc-wayne-line-1").additionalSecretOutputs).toContain("envs");
    expect(container(plan, "lc-wayne-db").additionalSecretOutputs).toContain("uploads");
  });
});

describe("database volumes", () => {
  const volumeOf = async (values: Record<string, unknown>) => {
    const plan = await planValues("wayne", values);
    const v = plan.resources.find((r) => r.type === "docker:index/volume:Volume" && r.name === "db-data");
    if (!v) throw new Error("no db-data volume");
    return { urn: v.urn, inputs: unwrapSecrets(v.inputs), retainOnDelete: v.retainOnDelete };
  };

  it("keeps the same URN, name and inputs from Dedicated to High Performance to High Availability", async () => {
    const dedicated = await volumeOf({ ...dedicatedValues(), customer: "wayne" });
    const hp = await volumeOf(hpValues());
    const ha = await volumeOf(haValues());
    expect(hp).toEqual(dedicated);
    expect(ha).toEqual(dedicated);
    expect((dedicated.inputs as any).name).toBe("lc-wayne-db-data");
  });

  it("is kept when the stack is destroyed", async () => {
    expect((await volumeOf(haValues())).retainOnDelete).toBe(true);
  });

  it("gives each Galera node its own retained volume", async () => {
    const plan = await planValues("wayne", haValues());
    const vols = plan.resources.filter((r) => r.type === "docker:index/volume:Volume" && r.name.startsWith("db-data"));
    expect(vols.map((v) => unwrapSecrets(v.inputs.name))).toEqual(["lc-wayne-db-data", "lc-wayne-db-data-2", "lc-wayne-db-data-3"]);
    expect(vols.every((v) => v.retainOnDelete)).toBe(true);
  });
});

describe("changing edition", () => {
  const typeOf = (id: Parameters<typeof editionComponentType>[0]) => editionComponentType(id);
  const pairs: Array<
    [
      string,
      () => Record<string, unknown>,
      Parameters<typeof editionComponentType>[0],
      () => Record<string, unknown>,
      Parameters<typeof editionComponentType>[0],
    ]
  > = [
    ["Dedicated Server -> High Performance", () => ({ ...dedicatedValues(), customer: "wayne" }), "dedicated", hpValues, "high-performance"],
    ["High Performance -> High Availability", hpValues, "high-performance", haValues, "high-availability"],
    ["High Availability -> Dedicated Server", haValues, "high-availability", () => ({ ...dedicatedValues(), customer: "wayne" }), "dedicated"],
    ["Datacenter -> Dedicated Server", datacenterValues, "datacenter", () => ({ ...dedicatedValues(), customer: "acme" }), "dedicated"],
  ];
  it.each(pairs)(
    "%s keeps every container that both editions have as the same resource (no second container with its name)",
    async (_name, from, fromId, to, toId) => {
      const before = await planValues(String(from().customer), from());
      const after = await planValues(String(to().customer), to());
      const component = after.resources.find((r) => r.type === typeOf(toId))!;
      expect(component.aliasTypes).toContain(typeOf(fromId));
      const urnsBefore = new Map(containers(before).map((c) => [unwrapSecrets(c.inputs.name), c.urn]));
      const shared = containers(after).filter((c) => urnsBefore.has(unwrapSecrets(c.inputs.name)));
      expect(shared.length).toBeGreaterThanOrEqual(1);
      for (const c of shared) {
        // The engine matches the new URN, read with the alias type, against the old one.
        expect(c.urn.replace(typeOf(toId), typeOf(fromId))).toBe(urnsBefore.get(unwrapSecrets(c.inputs.name)));
      }
    },
  );

  it("replaces fixed-name containers delete-first, so a replacement never collides with the old container's name", async () => {
    const plan = await planValues("wayne", haValues());
    expect(containers(plan).length).toBeGreaterThan(0);
    for (const c of containers(plan))
      expect({ name: c.inputs.name, deleteBeforeReplace: c.deleteBeforeReplace }).toEqual({ name: c.inputs.name, deleteBeforeReplace: true });
  });
});

describe("Dedicated Server and High Performance", () => {
  it("Dedicated Server signs with the shared FSB and runs no FSB of its own", async () => {
    const plan = await planValues("globex", dedicatedValues());
    expect(containers(plan).some((c) => String(c.inputs.name).includes("fsb"))).toBe(false);
    const e = env(container(plan, "lc-globex-line-1"));
    expect(e.FSB_URL).toBe("http://fsb.dc1.lchost.local:7070");
    expect(isSecretValue(e.FSB_TOKEN)).toBe(true);
  });

  it("Dedicated Server has one database server and a gateway publishing only HTTPS", async () => {
    const plan = await planValues("globex", dedicatedValues());
    const published = containers(plan).filter((c) => ((c.inputs.ports as unknown[]) ?? []).length > 0);
    expect(published.map((c) => c.inputs.name)).toEqual(["lc-globex-gateway"]);
    expect(String(upload(published[0], HAPROXY_CFG).content)).toMatch(/bind \*:8443 ssl crt /);
    expect(env(container(plan, "lc-globex-line-1")).DB_HOST).toBe("lc-globex-db");
  });

  it("High Performance adds a dedicated FSB emulator with the configured latency", async () => {
    const plan = await planValues("wayne", hpValues());
    const fsb = container(plan, "lc-wayne-fsb-1");
    expect(env(fsb).FSB_SIGN_LATENCY_MS).toBe("50");
    expect(env(container(plan, "lc-wayne-line-1")).FSB_URL).toBe("http://lc-wayne-fsb-1:7070");
  });

  it("High Performance passes a real FSB device through", async () => {
    const plan = await planValues("wayne", { ...hpValues(), fsb: { mode: "device", devicePath: "/dev/fsb0" } });
    expect(container(plan, "lc-wayne-fsb-1").inputs.devices).toEqual([{ hostPath: "/dev/fsb0", containerPath: "/dev/fsb0", permissions: "rw" }]);
  });

  it("enforces client certificates on web services when a CA is configured", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const { wsPassword, ...values } = hpValues();
    const plan = await planValues("wayne", { ...values, connection: { clientCertificate: { caCertificate: ca } } });
    const gw = container(plan, "lc-wayne-gateway");
    expect(String(upload(gw, HAPROXY_CFG).content)).toContain("http-request deny deny_status 403 if web_service !{ ssl_c_verify 0 }");
    expect(upload(gw, "/usr/local/etc/haproxy/tls/client-ca.crt").content).toBe(ca);
  });

  it("uploads the client CA's revocation list beside the CA and makes the gateway check it", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const crl = "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n";
    const { wsPassword, ...values } = hpValues();
    const plan = await planValues("wayne", { ...values, connection: { clientCertificate: { caCertificate: ca, crl } } });
    const gw = container(plan, "lc-wayne-gateway");
    expect(upload(gw, "/usr/local/etc/haproxy/tls/client-ca.crl").content).toBe(crl);
    expect(String(upload(gw, HAPROXY_CFG).content)).toContain(
      "ca-file /usr/local/etc/haproxy/tls/client-ca.crt crl-file /usr/local/etc/haproxy/tls/client-ca.crl verify optional",
    );
  });

  it("limits the gateway's connections with the edition catalog's numbers", async () => {
    const plan = await planValues("wayne", hpValues());
    const cfg = String(upload(container(plan, "lc-wayne-gateway"), HAPROXY_CFG).content);
    const limits = editionCatalog().editions["high-performance"].gateway;
    expect(cfg).toMatch(new RegExp(`^frontend https\\n[^\\n]*\\n  maxconn ${limits.maxConnections}$`, "m"));
    expect(cfg).toContain(`tcp-request connection reject if { sc_conn_cur(0) gt ${limits.connectionsPerSource} }`);
    expect(cfg).toContain(`http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${limits.requestsPerSourcePer10s} }`);
  });
});

describe("Datacenter on a shared server", () => {
  it("runs the tenant's License Central only on its own tenant network, with limits", async () => {
    const plan = await planValues("acme", datacenterValues());
    const lc = container(plan, "lc-acme-line-1");
    expect(lc.inputs.networksAdvanced).toEqual([{ name: "lc-shared-dc1-tenant-acme", aliases: ["lc-acme-line-1"] }]);
    expect(lc.inputs.memory).toBe(editionCatalog().editions.datacenter.resources.memoryMb);
    expect(lc.inputs.cpuShares).toBe(editionCatalog().editions.datacenter.resources.cpuShares);
    expect(lc.inputs.ports).toBeUndefined();
  });

  it("creates its own schema and user with grants on that schema only", async () => {
    const plan = await planValues("acme", datacenterValues());
    const job = container(plan, "lc-acme-line-1-db-setup");
    const sql = upload(job, "/job/setup.sql");
    expect(sql.secret).toBe(true);
    const grants = String(sql.content)
      .split("\n")
      .filter((l) => l.startsWith("GRANT"));
    expect(grants).toEqual(["GRANT ALL PRIVILEGES ON `lc\\_acme`.* TO 'lc_acme'@'%';"]);
    expect(env(container(plan, "lc-acme-line-1"))).toMatchObject({ DB_NAME: "lc_acme", DB_USER: "lc_acme", DB_HOST: "lc-shared-dc1-db" });
  });

  it("has no web services and the catalog's Datacenter quota", async () => {
    const plan = await planValues("acme", datacenterValues());
    const e = env(container(plan, "lc-acme-line-1"));
    expect(e.LC_WEB_SERVICES).toBe("false");
    expect(e.LC_QUOTA_ACTIVATIONS_PER_MONTH).toBe(String(editionCatalog().editions.datacenter.quotas.activationsPerMonth));
    expect(e.LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH).toBe("0");
  });

  it("signs on the shared FSB with a token of its own", async () => {
    const plan = await planValues("acme", datacenterValues());
    const e = env(container(plan, "lc-acme-line-1"));
    expect(e.FSB_URL).toBe("http://lc-shared-dc1-fsb:7070");
    expect(e.FSB_FIRM_CODE).toBe("acme");
    expect(isSecretValue(e.FSB_TOKEN)).toBe(true);
    expect((e.FSB_TOKEN as any).value).toContain("fsbtokenacme");
  });

  it("fails with a clear message when the shared server does not list the tenant", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-stacks-"));
    const write = (name: string, values: Record<string, unknown>) =>
      fs.writeFileSync(
        path.join(dir, `Pulumi.${name}.yaml`),
        YAML.stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`lchost:${k}`, v])) }),
      );
    write("shared-dc1", sharedValues());
    write("umbrella", { ...datacenterValues(), customer: "umbrella" });
    await expect(new StackPlanner().planByName("umbrella", dir)).rejects.toThrow(
      /lchost:sharedServer: tenant 'umbrella' is not listed in lchost:tenants of shared-server stack 'shared-dc1' \(tenants: acme, initech\)/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("shared server", () => {
  it("attaches database, FSB and entry point to every tenant network, and tenants to none but their own", async () => {
    const plan = await planValues("shared-dc1", sharedValues());
    for (const name of ["lc-shared-dc1-db", "lc-shared-dc1-fsb", "lc-shared-dc1-entry"]) {
      const nets = (container(plan, name).inputs.networksAdvanced as any[]).map((n) => n.name);
      expect(nets).toEqual(["lc-shared-dc1-backend", "lc-shared-dc1-tenant-acme", "lc-shared-dc1-tenant-initech"]);
    }
  });

  it("routes each tenant's host name to that tenant's License Central and refuses web services", async () => {
    const plan = await planValues("shared-dc1", sharedValues());
    const cfg = String(upload(container(plan, "lc-shared-dc1-entry"), HAPROXY_CFG).content);
    expect(cfg).toContain("use_backend tenant_acme if { req.hdr(host),field(1,:) -i acme.dc1.lchost.local }");
    expect(cfg).toContain("server acme lc-acme-line-1:8080 check");
    expect(cfg).toContain("http-request deny deny_status 403 if web_service");
  });

  it("outputs the provisioner password and FSB tokens only as secrets", async () => {
    const plan = await planValues("shared-dc1", sharedValues());
    expect(isSecretValue(plan.outputs.provisionerPassword)).toBe(true);
    expect(isSecretValue(plan.outputs.tenantFsbTokens)).toBe(true);
  });
});
