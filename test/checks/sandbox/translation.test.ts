import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackPlanner } from "../../../planner/planWithReferences";
import { assignAddresses, replaceHosts } from "../../../sandbox/sandboxAddresses";
import { translateHaproxyConfig } from "../../../haproxy/translateConfig";
import { replaceContainerPaths, SandboxProcessSpec } from "../../../sandbox/containerTranslation";
import { freshSecrets, plannedRandomResult, substituteSecrets } from "../../../sandbox/placeholderSecrets";
import { checkPrerequisites, prerequisitesFor } from "../../../sandbox/prerequisites";
import { buildSandboxLayout, PlannedStack, sandboxAddresses, sandboxContainers, SandboxSecrets } from "../../../sandbox/sandboxLayout";
import { makeCertificateAuthority } from "../../../sandbox/sandboxCertificates";

jest.setTimeout(120_000); // plans whole stacks and runs haproxy -c: seconds on a loaded 2-core machine

const TLS = { caCertPath: "/t/ca.crt", caCertPem: "CA-PEM\n", serverPem: "SERVER-PEM\n", clientCertPath: "/t/client.crt", clientKeyPath: "/t/client.key" };
const OPTS = {
  sandboxName: "t",
  sandboxDir: "/sb",
  nodeBinary: "/usr/bin/node",
  services: { fsbEmulator: "/d/fsb.js", licenseCentral: "/d/lc.js" },
  haproxyBinary: "/usr/sbin/haproxy",
  pathEnv: "/usr/bin",
};

async function layoutOf(stackNames: string[], extra: Partial<typeof OPTS & { extraBindAddresses: string[] }> = {}) {
  const planner = new StackPlanner();
  const stacks: PlannedStack[] = [];
  for (const name of stackNames) {
    const plan = await planner.planByName(name);
    const cfg = plan.outputs as any;
    stacks.push({
      name,
      role: cfg.role === "shared-server" ? "shared-server" : "customer",
      edition: cfg.edition,
      sharedServer: name === "acme" || name === "initech" ? "shared-dc1" : undefined,
      plan,
    });
  }
  const secrets: SandboxSecrets = { substitutions: new Map(), basicAuth: new Map() };
  let n = 0;
  for (const s of stacks) {
    const shared = s.sharedServer ? secrets.substitutions.get(s.sharedServer) : undefined;
    secrets.substitutions.set(s.name, new Map([...(shared ?? new Map()), ...freshSecrets(s.plan, (len) => `fresh${++n}`.padEnd(len, "x"))]));
    secrets.basicAuth.set(s.name, { password: "sandbox-pw", hash: "$6$salt$HASH" });
  }
  const containers = sandboxContainers(stacks, secrets);
  const addresses = sandboxAddresses("t", containers);
  return buildSandboxLayout(stacks, containers, addresses, secrets, TLS, { ...OPTS, ...extra });
}

const proc = (l: { processes: SandboxProcessSpec[] }, name: string) => l.processes.find((p) => p.name === name)!;
const file = (p: SandboxProcessSpec, suffix: string) => p.files.find((f) => f.path.endsWith(suffix))!.content;

describe("sandbox addresses", () => {
  it("gives every container its own loopback address, stable for the sandbox's name", () => {
    const a = assignAddresses("wayne", [["db", "line-1"], ["tenant-line"]], ["external"]);
    expect([...a.values()]).toEqual([
      expect.stringMatching(/^127\.\d+\.1\.1$/),
      expect.stringMatching(/^127\.\d+\.1\.2$/),
      expect.stringMatching(/^127\.\d+\.2\.1$/),
      expect.stringMatching(/^127\.\d+\.250\.1$/),
    ]);
    expect(assignAddresses("wayne", [["db"]]).get("db")).toBe(a.get("db"));
    expect(assignAddresses("other", [["db"]]).get("db")).not.toBe(a.get("db"));
  });

  it("replaces whole host names only, never the prefix of a longer one", () => {
    const a = new Map([
      ["lc-w-db", "127.9.1.1"],
      ["lc-w-db-2", "127.9.1.2"],
    ]);
    expect(replaceHosts("gcomm://lc-w-db:4567,lc-w-db-2:4567 DB_HOST=lc-w-db lc-w-db-setup", a)).toBe(
      "gcomm://127.9.1.1:4567,127.9.1.2:4567 DB_HOST=127.9.1.1 lc-w-db-setup",
    );
  });

  it("mirrors container paths under the container's directory in one pass", () => {
    expect(replaceContainerPaths("crt /etc/h/tls/s.pem ca-file /etc/h/tls/ca.crt -f /etc/h/h.cfg /etc/hx", ["/etc/h", "/etc/h/tls"], "/sb/gw")).toBe(
      "crt /sb/gw/etc/h/tls/s.pem ca-file /sb/gw/etc/h/tls/ca.crt -f /sb/gw/etc/h/h.cfg /etc/hx",
    );
  });
});

describe("placeholder secrets", () => {
  it("finds every random placeholder of a plan, so none reaches a sandbox process", async () => {
    const layout = await layoutOf(["wayne"]);
    const text = JSON.stringify(layout.processes);
    expect(text).not.toMatch(/planned[a-z]/);
    expect(text).not.toContain("planned-secret-value");
    expect(plannedRandomResult("db-password", 8)).toBe("plannedd");
  });

  it("gives two tenants of one shared server different passwords although their plans hold the same placeholder", async () => {
    const layout = await layoutOf(["shared-dc1", "acme", "initech"]);
    const acme = proc(layout, "lc-acme-line-1").env;
    const initech = proc(layout, "lc-initech-line-1").env;
    expect(acme.DB_PASSWORD).not.toBe(initech.DB_PASSWORD);
    expect(acme.LC_ADMIN_TOKEN).not.toBe(initech.LC_ADMIN_TOKEN);
    // the tenant's FSB token is the one the shared FSB knows
    expect(proc(layout, "lc-shared-dc1-fsb").env.FSB_FIRM_TOKENS).toContain(`acme=${acme.FSB_TOKEN}`);
    expect(substituteSecrets({ a: ["xPHx"] }, new Map([["PH", "v"]]))).toEqual({ a: ["xvx"] });
  });
});

describe("container translation", () => {
  it("runs a Galera node from its rendered config with hosts as addresses and its own listen address", async () => {
    const layout = await layoutOf(["wayne"]);
    const db2 = proc(layout, "lc-wayne-db-2");
    const cnf = file(db2, "90-lchost.cnf");
    const addr = (n: string) => proc(layout, n).address;
    expect(db2.galera).toEqual({ nodeIndex: 2 });
    expect(cnf).toContain(`bind-address = ${db2.address}`);
    expect(cnf).toContain(`wsrep_cluster_address = gcomm://${addr("lc-wayne-db")}:4567,${db2.address}:4567,${addr("lc-wayne-db-3")}:4567`);
    expect(cnf).toContain(`gmcast.listen_addr=tcp://${db2.address}:4567;ist.recv_addr=${db2.address}:4568`);
    expect(cnf).toContain("wsrep_node_name = lc-wayne-db-2");
    expect(cnf).toContain(`socket = /sb/lc-wayne-db-2/run/mysqld/mysqld.sock`);
    // a private tmpdir for mariadbd and for mariadb-install-db's bootstrap server: at start each deletes
    // every #sql* file in its tmpdir, so servers sharing /tmp would delete each other's temporary tables
    expect(cnf).toContain(`tmpdir = /sb/lc-wayne-db-2/run/mysqld`);
    expect(db2.env.TMPDIR).toBe("/sb/lc-wayne-db-2/run/mysqld");
    expect(db2.command).toBe("/bin/sh");
    expect(db2.args).toEqual(["/sb/lc-wayne-db-2/etc/lchost/db/start.sh"]);
    expect(file(db2, "start.sh")).toContain("DATADIR=/sb/lc-wayne-db-2/var/lib/mysql");
    expect(file(db2, "start.sh")).toContain("mariadbd --defaults-extra-file=");
    expect(file(db2, "start.sh")).toContain("trap stop TERM INT");
  });

  it("runs each database node's mysqld-exporter from the planned command line, at the node's address, logging in at its database", async () => {
    const layout = await layoutOf(["wayne"]);
    const exporter = proc(layout, "lc-wayne-db-2-exporter");
    expect(exporter.role).toBe("database-exporter");
    expect(exporter.command).toBe("/usr/bin/prometheus-mysqld-exporter");
    expect(exporter.args).toEqual([
      "--config.my-cnf=/sb/lc-wayne-db-2-exporter/etc/lchost/mysqld-exporter/my.cnf",
      `--web.listen-address=${exporter.address}:9104`,
    ]);
    expect(exporter.ports).toEqual([9104]);
    const cnf = exporter.files.find((f) => f.path.endsWith("/my.cnf"))!;
    expect(cnf.mode).toBe(0o600);
    expect(cnf.content).toContain(`host=${proc(layout, "lc-wayne-db-2").address}\n`);
    // the sandbox's fresh password, the same one the node's init SQL gives the monitoring account
    const password = /password=(\S+)/.exec(cnf.content)![1];
    expect(password).not.toMatch(/^planned/);
    expect(file(proc(layout, "lc-wayne-db-2"), "init.sql")).toContain(`'lchost_monitor'@'%' IDENTIFIED BY '${password}'`);
    expect(layout.processes.filter((p) => p.role === "database-exporter").map((p) => p.name)).toEqual([
      "lc-wayne-db-exporter",
      "lc-wayne-db-2-exporter",
      "lc-wayne-db-3-exporter",
    ]);
  });

  it("points License Central at its database node and FSB by address and listens on its own", async () => {
    const layout = await layoutOf(["wayne"]);
    const line = proc(layout, "lc-wayne-line-2");
    expect(line.env.DB_HOST).toBe(proc(layout, "lc-wayne-db-2").address);
    expect(line.env.FSB_URL).toBe(`http://${proc(layout, "lc-wayne-fsb-2").address}:7070`);
    expect(line.env.LC_HOST).toBe(line.address);
    expect(line.ports).toEqual([8080, 8081]);
    expect(proc(layout, "lc-wayne-fsb-2").env.FSB_DATA_DIR).toBe("/sb/lc-wayne-fsb-2/var/lib/fsb");
  });

  it("stands in for a Dedicated Server's external shared FSB with an emulator that knows its token", async () => {
    const layout = await layoutOf(["globex"]);
    const fsb = proc(layout, "fsb.dc1.lchost.local");
    const line = proc(layout, "lc-globex-line-1");
    expect(fsb.role).toBe("fsb");
    expect(fsb.env.FSB_FIRM_TOKENS).toBe(`globex=${line.env.FSB_TOKEN}`);
    expect(line.env.FSB_URL).toBe(`http://${fsb.address}:7070`);
  });

  it("starts databases first and entry points last", async () => {
    const layout = await layoutOf(["shared-dc1", "acme"]);
    expect(layout.processes.map((p) => p.role)).toEqual(["database", "database-exporter", "fsb", "sql-job", "license-central", "https-entry-point"]);
    expect(layout.endpoints.acme.gateway?.host).toBe("acme.dc1.lchost.local");
    expect(layout.endpoints.acme.gateway?.process).toBe("lc-shared-dc1-entry");
    expect(layout.notes).toEqual([expect.stringContaining("initech")]);
  });
});

describe("haproxy.cfg translation", () => {
  const rendered = [
    "global",
    "  stats socket /tmp/haproxy-admin.sock mode 600 level admin",
    "",
    "resolvers docker",
    "  nameserver dns 127.0.0.11:53",
    "  hold valid 1s",
    "",
    "userlist web_service_users",
    "  user crm password $6$planned$abc",
    "",
    "frontend monitor",
    "  bind 127.0.0.1:8404",
    "frontend https",
    "  bind *:8443 ssl crt /x/server.pem",
    "backend b",
    "  default-server inter 500ms fall 2 rise 2 resolvers docker init-addr last,libc,none",
    "  server line1 127.9.1.3:8080 check",
    "",
  ].join("\n");

  it("drops Docker's resolver, binds the node's address (and extra ones for TLS) and uses the sandbox's password hash", () => {
    const out = translateHaproxyConfig(rendered, { address: "127.9.1.2", extraBindAddresses: ["10.213.0.1"], basicAuthPasswordHash: "$6$s$new" });
    expect(out).not.toContain("resolvers");
    expect(out).not.toContain("init-addr");
    expect(out).toContain("  bind 127.9.1.2:8404\n");
    expect(out).toContain("  bind 127.9.1.2:8443 ssl crt /x/server.pem\n  bind 10.213.0.1:8443 ssl crt /x/server.pem\n");
    expect(out).toContain("  user crm password $6$s$new\n");
    expect(out).toContain("  default-server inter 500ms fall 2 rise 2\n");
  });

  it("yields configs the real HAProxy accepts, for every entry point of the example stacks", async () => {
    if (spawnSync("haproxy", ["-v"]).status !== 0) throw new Error("haproxy is not installed: apt-get install -y haproxy");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-sbcfg-"));
    try {
      for (const stacks of [["wayne"], ["shared-dc1", "acme", "initech"], ["globex"]]) {
        const layout = await layoutOf(stacks, { sandboxDir: dir });
        for (const p of layout.processes.filter((x) => x.role === "https-entry-point")) {
          for (const f of p.files) {
            fs.mkdirSync(path.dirname(f.path), { recursive: true });
            fs.writeFileSync(f.path, f.path.endsWith(".pem") ? selfSigned(dir) : f.content);
          }
          fs.writeFileSync(p.files.find((f) => f.path.endsWith("client-ca.crt"))?.path ?? path.join(dir, "unused.crt"), selfSignedCert(dir));
          const r = spawnSync("haproxy", ["-c", "-f", p.args[2]], { encoding: "utf8" });
          expect({ entry: p.name, status: r.status, err: r.status === 0 ? "" : r.stderr }).toEqual({ entry: p.name, status: 0, err: "" });
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

let pem: { cert: string; key: string } | undefined;
function ensurePem(dir: string) {
  if (!pem) {
    const ca = makeCertificateAuthority(dir, "t", "t", 1);
    pem = { cert: fs.readFileSync(ca.cert, "utf8"), key: fs.readFileSync(ca.key, "utf8") };
  }
  return pem;
}
const selfSigned = (dir: string) => ensurePem(dir).cert + ensurePem(dir).key;
const selfSignedCert = (dir: string) => ensurePem(dir).cert;

describe("prerequisites", () => {
  it("names every missing program with its Debian package", () => {
    expect(() =>
      checkPrerequisites(prerequisitesFor({ database: true, galera: true, entryPoint: true, sqlJob: false }), (f) =>
        f === "openssl" ? "/usr/bin/openssl" : undefined,
      ),
    ).toThrow(
      /MariaDB server \(mariadbd, Debian package mariadb-server\).*Galera replication library \(\/usr\/lib\/galera\/libgalera_smm\.so, Debian package galera-4\).*HAProxy \(haproxy, Debian package haproxy\).*apt-get install -y mariadb-server mariadb-client galera-4 rsync haproxy/,
    );
  });
});
