import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderEditionTable } from "../../model/editionTable";
import { stackFileSchema } from "../../model/stackConfigSchema";
import { deadLineDetectionMs, DEFAULT_HEALTH, HaproxyConfigSpec, renderAllowList, renderHaproxyConfig } from "../../haproxy/renderConfig";
import { renderDatabaseStartScript, renderGaleraNodeConfig, VIEW_WAIT_S } from "../../components/render/mariadbConfig";
import { schemaOwnerSql } from "../../components/render/databaseSql";
import { sha512Crypt } from "../../components/render/sha512Crypt";
import { renderAlertTable } from "../../render/prometheus/alertTable";

function haproxyBinary(): string {
  const r = spawnSync("haproxy", ["-v"]);
  if (r.status !== 0) throw new Error("haproxy is not installed: apt-get install -y haproxy (the renderer tests run the real HAProxy)");
  return "haproxy";
}

describe("haproxy.cfg", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-haproxy-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=test"],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
    fs.writeFileSync(`${dir}/allow.lst`, renderAllowList(["192.0.2.0/24", "2001:db8::/32"]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const spec = (): HaproxyConfigSpec => ({
    bind: { address: "127.0.0.1", port: 18443 },
    certificatePath: `${dir}/server.pem`,
    clientCaPath: `${dir}/cert.pem`,
    allowListPath: `${dir}/allow.lst`,
    basicAuth: { username: "crm", passwordHash: sha512Crypt("pw", "abcdefgh") },
    webServiceToken: "token123",
    webServices: true,
    backends: [{ name: "license_central", servers: [1, 2, 3].map((i) => ({ name: `line${i}`, address: "127.0.0.1", port: 18080 + i })) }],
    health: DEFAULT_HEALTH,
    adminSocketPath: `${dir}/admin.sock`,
    monitorPort: 18404,
    prometheus: { address: "127.0.0.1", port: 18405 },
    limits: { maxConnections: 1000, connectionsPerSource: 100, requestsPerSourcePer10s: 2000 },
  });

  const check = (text: string) => {
    const file = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(file, text);
    return spawnSync(haproxyBinary(), ["-c", "-f", file], { encoding: "utf8" });
  };

  it("is accepted by the real HAProxy with every connection rule and three lines", () => {
    const r = check(renderHaproxyConfig(spec()));
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
  });

  it("is accepted by the real HAProxy for a shared entry point routing tenants by host name", () => {
    const r = check(
      renderHaproxyConfig({
        ...spec(),
        clientCaPath: undefined,
        allowListPath: undefined,
        basicAuth: undefined,
        webServiceToken: undefined,
        webServices: false,
        dockerDns: true,
        backends: ["acme", "initech"].map((t) => ({
          name: `tenant_${t}`,
          host: `${t}.dc1.lchost.local`,
          servers: [{ name: t, address: `lc-${t}-line-1`, port: 8080 }],
        })),
      }),
    );
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
  });

  it("detects a dead line within the catalog's 3 s (interval x fall)", () => {
    expect(deadLineDetectionMs(DEFAULT_HEALTH)).toBeLessThanOrEqual(3000);
    expect(renderHaproxyConfig(spec())).toContain("default-server inter 500ms fall 2 rise 2");
  });

  it("is accepted by the real HAProxy with a client-certificate revocation list", () => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${dir}/ca.key`,
        "-out",
        `${dir}/ca.crt`,
        "-days",
        "1",
        "-subj",
        "/CN=ca",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${dir}/index.txt`, "");
    fs.writeFileSync(`${dir}/crlnumber`, "01\n");
    fs.writeFileSync(
      `${dir}/ca.cnf`,
      `[ca]\ndefault_ca=d\n[d]\ndatabase=${dir}/index.txt\ncrlnumber=${dir}/crlnumber\ndefault_md=sha256\ndefault_crl_days=1\n`,
    );
    execFileSync("openssl", ["ca", "-config", `${dir}/ca.cnf`, "-keyfile", `${dir}/ca.key`, "-cert", `${dir}/ca.crt`, "-gencrl", "-out", `${dir}/ca.crl`], {
      stdio: "ignore",
    });
    const r = check(renderHaproxyConfig({ ...spec(), clientCaPath: `${dir}/ca.crt`, clientCrlPath: `${dir}/ca.crl` }));
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
  });

  it("refuses a revocation list without the client CA", () => {
    expect(() => renderHaproxyConfig({ ...spec(), clientCaPath: undefined, clientCrlPath: "/x.crl" })).toThrow(
      "a client-certificate revocation list needs the client CA (clientCaPath)",
    );
  });

  it("refuses connection limits that are not positive integers, naming the field", () => {
    expect(() => renderHaproxyConfig({ ...spec(), limits: { ...spec().limits, connectionsPerSource: 0 } })).toThrow(
      "limits.connectionsPerSource must be a positive integer, got 0",
    );
  });

  it("offers only Mozilla-intermediate TLS: TLS 1.2+, ECDHE with AEAD suites, no session tickets", () => {
    const cfg = renderHaproxyConfig(spec());
    expect(cfg).toContain("ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets");
    const ciphers = /ssl-default-bind-ciphers (\S+)/.exec(cfg)![1].split(":");
    for (const c of ciphers) expect(c).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
    expect(cfg).toContain("ssl-default-bind-curves X25519:prime256v1:secp384r1");
  });

  it("serves HAProxy's Prometheus exporter on its own frontend, with its own timeouts and a 404 for anything but /metrics", () => {
    const cfg = renderHaproxyConfig(spec());
    const section = cfg.slice(cfg.indexOf("frontend prometheus"), cfg.indexOf("frontend https"));
    expect(section).toContain("bind 127.0.0.1:18405\n");
    expect(section).toContain("http-request use-service prometheus-exporter if { path /metrics }");
    expect(section).toContain("http-request deny deny_status 404");
    expect(section).toMatch(/timeout client \d+ms/);
    expect(section).toMatch(/timeout http-request \d+ms/);
    expect(section).toMatch(/maxconn \d+/);
  });

  it("refuses a Prometheus listener on the public entry's port", () => {
    expect(() => renderHaproxyConfig({ ...spec(), prometheus: { address: "*", port: 18443 } })).toThrow(
      "prometheus.port 18443 must differ from the public entry's port (bind.port)",
    );
  });

  it("refuses a backend without servers", () => {
    expect(() => renderHaproxyConfig({ ...spec(), backends: [{ name: "empty", servers: [] }] })).toThrow("backend 'empty' has no server");
  });
});

describe("SHA-512 crypt", () => {
  it("matches Drepper's reference vector", () => {
    expect(sha512Crypt("Hello world!", "saltstring")).toBe(
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
    );
  });

  it("matches openssl passwd -6", () => {
    const expected = execFileSync("openssl", ["passwd", "-6", "-salt", "Q9xK2mPz", "correct horse"], { encoding: "utf8" }).trim();
    expect(sha512Crypt("correct horse", "Q9xK2mPz")).toBe(expected);
  });
});

describe("database configuration", () => {
  it("refuses a Galera cluster of fewer than 3 nodes", () => {
    expect(() =>
      renderGaleraNodeConfig({
        port: 3306,
        bindAddress: "0.0.0.0",
        clusterName: "c",
        nodeName: "n",
        nodeAddress: "a",
        clusterAddresses: ["a:4567", "b:4567"],
        gcommPort: 4567,
        istPort: 4568,
        sstPort: 4444,
      }),
    ).toThrow("a Galera cluster needs at least 3 nodes for quorum after one failure; got 2");
  });

  it("founds a new cluster from node 1 on fresh data, and from any node that Galera marked safe_to_bootstrap (the last to leave) or lchost heal chose", () => {
    const node1 = renderDatabaseStartScript({ datadir: "/d", configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: true } });
    const node2 = renderDatabaseStartScript({ datadir: "/d", configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: false } });
    expect(node1).toContain('grep -q "^safe_to_bootstrap: *1"');
    expect(node1).toContain("--wsrep-new-cluster --init-file=$INIT");
    const founding = (script: string) => script.split("\n").filter((l) => l.includes("--wsrep-new-cluster"));
    expect(founding(node1)).toHaveLength(2);
    expect(founding(node2)).toHaveLength(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-startscript-"));
    try {
      // node 2's founding decision run by sh on a data directory (no chown, no mariadbd): print EXTRA
      const script = renderDatabaseStartScript({ datadir: dir, configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: false } });
      const lines = script.split("\n");
      const upToDecision = lines.slice(0, lines.findIndex((l) => l.includes("lchost-heal-bootstrap")) + 1).filter((l) => !l.startsWith("mkdir -p"));
      const run = () => spawnSync("sh", ["-c", `${upToDecision.join("\n")}\necho "EXTRA=$EXTRA"`], { encoding: "utf8" }).stdout.trim();
      fs.mkdirSync(path.join(dir, "mysql"));
      const grastate = (safe: number, seqno: number) =>
        fs.writeFileSync(
          path.join(dir, "grastate.dat"),
          `# GALERA saved state\nversion: 2.1\nuuid:    e418e841-eba2-11f1-9d82-571daa0e97cc\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safe}\n`,
        );
      expect(run()).toBe("EXTRA="); // no grastate.dat: a node that never ran joins
      grastate(0, 351);
      expect(run()).toBe("EXTRA="); // it left while others stayed: joins
      grastate(1, 473);
      expect(run()).toBe("EXTRA=--wsrep-new-cluster"); // it was left alone, last: founds
      grastate(1, -1);
      expect(run()).toBe("EXTRA=--wsrep-new-cluster"); // alone in the primary component when it died: nobody has more
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the heal playbook's founding marker is consumed by the start, so the node's next start joins again", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-startscript-"));
    try {
      const script = renderDatabaseStartScript({ datadir: dir, configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: false } });
      // run the script up to its founding decision (no chown, no mariadbd): print EXTRA
      const lines = script.split("\n");
      const upToDecision = lines.slice(0, lines.findIndex((l) => l.includes("lchost-heal-bootstrap")) + 1).filter((l) => !l.startsWith("mkdir -p"));
      fs.mkdirSync(path.join(dir, "mysql"));
      const run = () => spawnSync("sh", ["-c", `${upToDecision.join("\n")}\necho "EXTRA=$EXTRA"`], { encoding: "utf8" }).stdout.trim();
      expect(run()).toBe("EXTRA=");
      fs.writeFileSync(path.join(dir, "lchost-heal-bootstrap"), "");
      expect(run()).toBe("EXTRA=--wsrep-new-cluster");
      expect(fs.existsSync(path.join(dir, "lchost-heal-bootstrap"))).toBe(false);
      expect(run()).toBe("EXTRA=");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a Galera node's start script keeps its saved view across a SIGTERM (the whole-cluster stop of an engine restart); a single server still execs mariadbd", () => {
    const node = renderDatabaseStartScript({ datadir: "/d", configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: false } });
    expect(node).toContain("trap stop TERM INT");
    expect(node).toMatch(/stop\(\) \{ STOPPING=1; if \[ -f "\$DATADIR\/gvwstate.dat" \]; then cp -p "\$DATADIR\/gvwstate.dat" "\$SAVED"/);
    expect(node).toContain('[ -f "$DATADIR/gvwstate.dat" ] || mv "$SAVED" "$DATADIR/gvwstate.dat"');
    expect(node).not.toContain("exec mariadbd");
    const single = renderDatabaseStartScript({ datadir: "/d", configPath: "/c", initFilePath: "/i" });
    expect(single).toContain("exec mariadbd");
    expect(single).not.toContain("gvwstate");
    // the script is valid sh
    for (const text of [node, single]) expect(spawnSync("sh", ["-n"], { input: text }).status).toBe(0);
  });

  it("a node that restored a saved view records every view Galera reports to its notify command, for its watcher (an outdated view is dropped)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-notify-"));
    try {
      const node = renderDatabaseStartScript({ datadir: "/d", configPath: "/c", initFilePath: "/i", galera: { bootstrapNode: false } });
      expect(node).toContain('NOTIFYOPT="--wsrep-notify-cmd=$NOTIFY"');
      expect(node).toContain('"no $VIEW") STUCK=$((STUCK + 1)) ;;');
      expect(node).toContain(`if [ "$STUCK" -ge ${VIEW_WAIT_S} ]; then`);
      // the helper the script writes, run as Galera runs it
      const printf = node.split("\n").find((l) => l.trim().startsWith("printf '%s\\n' '#!/bin/sh'"))!;
      spawnSync("sh", ["-c", printf.replace('"$NOTIFY"', `"${dir}/notify"`)]);
      const notify = (...args: string[]) => spawnSync("sh", [path.join(dir, "notify"), ...args]);
      notify("--status", "joiner");
      expect(fs.existsSync(path.join(dir, "lchost-wsrep-view"))).toBe(false); // a status change, not a view
      notify("--status", "connected", "--uuid", "u", "--primary", "no", "--members", "a/n1/x:1,b/n2/y:2,c/n3/z:3", "--index", "0");
      expect(fs.readFileSync(path.join(dir, "lchost-wsrep-view"), "utf8")).toBe("no 3\n");
      notify("--status", "synced", "--uuid", "u", "--primary", "yes", "--members", "a/n1/x:1,b/n2/y:2", "--index", "0");
      expect(fs.readFileSync(path.join(dir, "lchost-wsrep-view"), "utf8")).toBe("yes 2\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("escapes '_' in the granted schema, because a GRANT's schema name is a LIKE pattern (found by the sandbox: the provisioner was refused)", () => {
    expect(schemaOwnerSql({ schema: "license_central", user: "license_central", password: "x" })).toContain("ON `license\\_central`.*");
    expect(schemaOwnerSql({ schema: "lc_a_b", user: "lc_a_b", password: "x" })).toContain("ON `lc\\_a\\_b`.*");
  });

  it("grants an application user its own schema only, and quotes the password", () => {
    const sql = schemaOwnerSql({ schema: "lc_acme", user: "lc_acme", password: "it's" });
    expect(sql).toContain("GRANT ALL PRIVILEGES ON `lc\\_acme`.* TO 'lc_acme'@'%';");
    expect(sql).toContain("IDENTIFIED BY 'it''s'");
    expect(() => schemaOwnerSql({ schema: "lc_acme`; DROP", user: "u", password: "p" })).toThrow(/schema 'lc_acme`; DROP' must match/);
  });
});

describe("documents generated from the catalog and schema", () => {
  const root = path.join(__dirname, "..", "..");
  it("README's edition table is the catalog's (run lchost editions to refresh it)", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const table = readme.split("<!-- editions:begin -->\n")[1]?.split("\n<!-- editions:end -->")[0];
    expect(table).toBe(renderEditionTable());
  });

  it("README's alert table is the one the catalog's rules make (render/prometheus/alertTable.ts)", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const table = readme.split("<!-- alerts:begin -->\n")[1]?.split("\n<!-- alerts:end -->")[0];
    expect(table).toBe(renderAlertTable());
  });

  it("schemas/stack-file.schema.json is current (run lchost schema to refresh it)", () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(root, "schemas", "stack-file.schema.json"), "utf8"));
    expect(shipped).toEqual(stackFileSchema());
  });
});
