/**
 * Issue 15.9: nothing a sandbox writes is readable by other users of the machine — logs 0600 in a 0700
 * directory, keys, certificates and secrets 0600, every directory below the sandbox's own 0700 (the
 * sandbox directory itself is 0711 so that a database node, running as mysql, reaches its directory).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackPlanner } from "../../../planner/planWithReferences";
import { freshSecrets } from "../../../sandbox/placeholderSecrets";
import { LocalProcess } from "../../../sandbox/processSupervisor";
import { makeSandboxCertificates } from "../../../sandbox/sandboxCertificates";
import { freshSandboxDir, sandboxLogDir, writeSandboxFiles } from "../../../sandbox/sandboxFiles";
import { buildSandboxLayout, PlannedStack, sandboxAddresses, sandboxContainers, SandboxSecrets } from "../../../sandbox/sandboxLayout";

jest.setTimeout(120_000);

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Every file and directory below `root` (not root itself). */
function walk(root: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...walk(p));
  }
  return out;
}

/** A path other users can read: it and every directory between it and the sandbox grant group or other access. */
function readableByOthers(root: string, p: string): boolean {
  if ((mode(p) & 0o044) === 0) return false;
  for (let d = path.dirname(p); d !== root; d = path.dirname(d)) if ((mode(d) & 0o011) === 0) return false;
  return true;
}

describe("sandbox file modes", () => {
  let dir: string;
  let databaseDirs: string[];
  beforeAll(async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-modes-"));
    fs.chmodSync(base, 0o755);
    dir = path.join(base, "sb");
    const plan = await new StackPlanner().planByName("wayne");
    const stacks: PlannedStack[] = [{ name: "wayne", role: "customer", edition: "high-availability", plan }];
    const secrets: SandboxSecrets = {
      substitutions: new Map([["wayne", freshSecrets(plan)]]),
      basicAuth: new Map([["wayne", { password: "pw", hash: "$6$salt$HASH" }]]),
    };
    const containers = sandboxContainers(stacks, secrets);
    freshSandboxDir(dir);
    const certs = makeSandboxCertificates(path.join(dir, "tls"), { dnsNames: ["wayne.example"], ipAddresses: ["127.0.0.1"] });
    const tls = {
      caCertPath: certs.caCert,
      caCertPem: fs.readFileSync(certs.caCert, "utf8"),
      serverPem: fs.readFileSync(certs.serverPem, "utf8"),
      clientCertPath: certs.clientCert,
      clientKeyPath: certs.clientKey,
    };
    const layout = buildSandboxLayout(stacks, containers, sandboxAddresses("modes", containers), secrets, tls, {
      sandboxName: "modes",
      sandboxDir: dir,
      nodeBinary: process.execPath,
      services: { fsbEmulator: "/d/fsb.js", licenseCentral: "/d/lc.js" },
      haproxyBinary: "haproxy",
      pathEnv: "/usr/bin:/bin",
    });
    writeSandboxFiles(layout);
    databaseDirs = layout.processes.filter((p) => p.role === "database").map((p) => p.dir);
    // one real process writing its log, as the sandbox starts them
    const spec = { ...layout.processes.find((p) => p.role === "fsb")!, command: "/bin/sh", args: ["-c", "echo started"], env: { PATH: "/usr/bin:/bin" } };
    const p = new LocalProcess(spec, sandboxLogDir(dir), () => undefined);
    p.start();
    expect(await p.waitExit(30_000)).toEqual({ code: 0, signal: null });
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("writes process logs 0600 in a 0700 directory", () => {
    const logs = fs.readdirSync(sandboxLogDir(dir));
    expect(logs).toHaveLength(1);
    expect(fs.readFileSync(path.join(sandboxLogDir(dir), logs[0]), "utf8")).toContain("started");
    expect(mode(sandboxLogDir(dir))).toBe(0o700);
    expect(mode(path.join(sandboxLogDir(dir), logs[0]))).toBe(0o600);
  });

  it("keeps the CA, server and client keys and certificates 0600 in a 0700 directory", () => {
    const tls = path.join(dir, "tls");
    expect(mode(tls)).toBe(0o700);
    const files = fs.readdirSync(tls);
    expect(files).toEqual(expect.arrayContaining(["ca.crt", "ca.key", "server.pem", "server.key", "client.crt", "client.key"]));
    for (const f of files) expect([f, mode(path.join(tls, f))]).toEqual([f, 0o600]);
  });

  it("gives every process a 0700 directory, a database node's owned by mysql", () => {
    const mysqlUid = Number(execFileSync("id", ["-u", "mysql"], { encoding: "utf8" }).trim());
    const top = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(top.length).toBeGreaterThan(5);
    for (const e of top) expect([e.name, mode(path.join(dir, e.name))]).toEqual([e.name, 0o700]);
    expect(databaseDirs).toHaveLength(3);
    for (const d of databaseDirs) expect(fs.statSync(d).uid).toBe(mysqlUid);
  });

  it("leaves no file or directory below the sandbox that another user could read", () => {
    expect(mode(dir)).toBe(0o711);
    expect(walk(dir).filter((p) => readableByOthers(dir, p))).toEqual([]);
  });
});
