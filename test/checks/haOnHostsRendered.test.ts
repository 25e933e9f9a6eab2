/**
 * What the program renders for an HA stack on lchost:hosts, checked by the real programs: the pair's haproxy.cfg
 * (every line by host address) with `haproxy -c`, each node's keepalived.conf with `keepalived -t`, and each host's
 * packet-filter script run twice by iptables in a network namespace of its own (`hs-fw-*`, removed after): it loads,
 * hooks its chain into DOCKER-USER once, and a second run leaves the same rules (idempotent).
 * Real processes: run under the helper locks (see the brief); ≈ 30 s.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack, Plan } from "../../planner/mockPlanner";
import { unwrapSecrets } from "../../planner/planValues";
import { container, upload } from "../unit/planHelpers";
import { haValues, stackFile } from "../unit/stackFixtures";

jest.setTimeout(120_000);

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const [h1, h2, h3] = [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hs-rendered-"));
const netns = `hs-fw-${process.pid}`;
let plan: Plan;

beforeAll(async () => {
  plan = await planStack(stackFile("wayne", { ...haValues(), lines: 4, hosts: [h1, h2, h3], balancer: { virtualIp: "10.20.0.100" } }));
  execFileSync("ip", ["netns", "add", netns]);
});
afterAll(() => {
  spawnSync("ip", ["netns", "delete", netns]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("haproxy -c accepts the pair's one haproxy.cfg (lines by host address and port)", () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
      "-days",
      "1",
      "-subj",
      "/CN=wayne",
    ],
    { stdio: "ignore" },
  );
  fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
  const cfg = String(unwrapSecrets(upload(container(plan, "lc-wayne-gateway"), "/usr/local/etc/haproxy/haproxy.cfg").content));
  expect(cfg).toMatch(/server line4 10\.20\.0\.11:8083 /);
  // the container's paths, here: certificate, allow list and admin socket in the temp dir
  fs.writeFileSync(`${dir}/allow.lst`, String(upload(container(plan, "lc-wayne-gateway"), "/usr/local/etc/haproxy/allow.lst").content));
  const local = cfg
    .replace(/\/usr\/local\/etc\/haproxy\/tls\/server\.pem/g, `${dir}/server.pem`)
    .replace(/\/usr\/local\/etc\/haproxy\/allow\.lst/g, `${dir}/allow.lst`)
    .replace(/\/tmp\/haproxy-admin\.sock/g, `${dir}/admin.sock`);
  fs.writeFileSync(`${dir}/haproxy.cfg`, local);
  const r = spawnSync("haproxy", ["-c", "-f", `${dir}/haproxy.cfg`], { encoding: "utf8", timeout: 30_000 });
  expect({ status: r.status, out: `${r.stdout}${r.stderr}`.split("\n").filter((l) => /ALERT|error/i.test(l)) }).toEqual({ status: 0, out: [] });
});

test("keepalived -t accepts each balancer node's keepalived.conf", () => {
  // keepalived -t wants the VIP's interface and the check script to exist here
  const iface = fs
    .readdirSync("/sys/class/net")
    .filter((i) => i !== "lo")
    .sort()[0];
  for (const n of [1, 2]) {
    const c = container(plan, `lc-wayne-gateway-vrrp-${n}`);
    const script = `${dir}/haproxy-serving-${n}.sh`;
    fs.writeFileSync(script, String(upload(c, "/etc/keepalived/haproxy-serving.sh").content), { mode: 0o755 });
    const conf = String(upload(c, "/etc/keepalived/keepalived.conf").content)
      .replace("/etc/keepalived/haproxy-serving.sh", script)
      .replace(/\beth0\b/g, iface);
    fs.writeFileSync(`${dir}/keepalived-${n}.conf`, conf);
    const r = spawnSync("keepalived", ["-t", "-f", `${dir}/keepalived-${n}.conf`], { encoding: "utf8", timeout: 20_000 });
    expect({ status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, output: "" });
  }
});

test("each host's firewall script loads in iptables, hooks its chain once and is idempotent", () => {
  const fw = plan.outputs.hostFirewall as Record<string, { rules: string[][]; script: string }>;
  const inNs = (...args: string[]) => execFileSync("ip", ["netns", "exec", netns, ...args], { encoding: "utf8" });
  inNs("iptables", "-N", "DOCKER-USER"); // what dockerd creates on a host
  for (const host of ["h1", "h2", "h3"]) {
    fs.writeFileSync(`${dir}/fw-${host}.sh`, fw[host].script);
    inNs("sh", `${dir}/fw-${host}.sh`);
    const once = inNs("iptables", "-S", "LC-wayne");
    inNs("sh", `${dir}/fw-${host}.sh`);
    const twice = inNs("iptables", "-S", "LC-wayne");
    expect(twice).toBe(once);
    const appended = fw[host].rules.filter((r) => r[0] === "-A");
    expect(once.split("\n").filter((l) => l.startsWith("-A LC-wayne"))).toHaveLength(appended.length);
    const address = [h1, h2, h3].find((h) => h.name === host)!.address;
    expect(once.split("\n").filter((l) => l.startsWith("-A LC-wayne") && !l.includes(`--ctorigdst ${address} `))).toEqual([]);
    expect(
      inNs("iptables", "-S", "DOCKER-USER")
        .split("\n")
        .filter((l) => l.includes("-j LC-wayne")),
    ).toEqual(["-A DOCKER-USER -j LC-wayne"]);
  }
});
