/**
 * The High Availability example (wayne: client certificate + IP allow-list + basic auth) through the
 * real HAProxy the balancer config renders to. Requests come from a network namespace of the test's own,
 * from an address on the allow-list (10.214.0.2) or one that is not (10.213.0.2). wayne's own list
 * (192.0.2.0/24, a documentation network) is this machine's real network here, so the test plans a copy
 * of wayne's stack file whose list is the namespace's "customer" network instead.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { issueCertificate, makeCertificateAuthority, makeRevocationList } from "../../sandbox/sandboxCertificates";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";
import { createTestNamespace, TestNamespace } from "./support/networkNamespace";

const CLIENT = `
const https = require("https"), fs = require("fs");
const a = JSON.parse(process.argv[1]);
const req = https.request({ host: a.host, port: a.port, path: a.path, method: "GET", servername: a.servername, localAddress: a.from,
  ca: fs.readFileSync(a.ca), cert: a.cert && fs.readFileSync(a.cert), key: a.key && fs.readFileSync(a.key),
  headers: Object.assign({ host: a.servername }, a.auth ? { authorization: "Basic " + Buffer.from(a.auth).toString("base64") } : {}), timeout: 10000 },
  (res) => { let b = ""; res.on("data", (d) => b += d); res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, body: b }))); });
req.on("error", (e) => console.log(JSON.stringify({ error: e.code || e.message })));
req.on("timeout", () => req.destroy(new Error("timeout")));
req.end();`;

describe("connection security through the real HAProxy (wayne: client certificate, allow-list, basic auth)", () => {
  let sb: SandboxHandle;
  let ns: TestNamespace;
  let tmp: string;
  let foreign: { cert: string; key: string };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-e2e-sec-"));
    const otherCa = makeCertificateAuthority(tmp, "other-ca", "Some other CA");
    foreign = issueCertificate(tmp, "foreign-client", otherCa, { commonName: "not a customer", usage: "client" });
    const wayne = fs.readFileSync(path.join(__dirname, "../../stacks/Pulumi.wayne.yaml"), "utf8");
    if (!wayne.includes("- 192.0.2.0/24")) throw new Error("stacks/Pulumi.wayne.yaml no longer allows 192.0.2.0/24: update this test");
    // A revocation list beside the CA (issue 15.8): the sandbox replaces both with its own CA's, so the
    // sandbox client certificate must still pass — the CRL is checked, and it revokes nothing of ours.
    const crl = fs
      .readFileSync(makeRevocationList(tmp, "other-ca", otherCa), "utf8")
      .trim()
      .split("\n")
      .map((l) => `        ${l}`)
      .join("\n");
    const end = wayne.indexOf("-----END CERTIFICATE-----\n") + "-----END CERTIFICATE-----\n".length;
    const withCrl = `${wayne.slice(0, end)}      crl: |\n${crl}\n${wayne.slice(end)}`;
    fs.writeFileSync(path.join(tmp, "Pulumi.wayne.yaml"), withCrl.replace("- 192.0.2.0/24", "- 10.214.0.0/24"));
    ns = createTestNamespace(`lce2e${process.pid % 100000}`, { blocked: ["10.213.0.1", "10.213.0.2", 24], allowed: ["10.214.0.1", "10.214.0.2", 24] });
    sb = await startSandbox({
      stackFiles: [path.join(tmp, "Pulumi.wayne.yaml")],
      name: `e2e-security-${process.pid}`,
      removeOnStop: true,
      extraBindAddresses: Object.values(ns.hostAddresses),
    });
  });

  afterAll(async () => {
    await sb?.stop();
    ns?.remove();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function call(opts: { from: "allowed" | "blocked"; cert?: "sandbox" | "foreign"; password?: string; path?: string }): {
    status?: number;
    body?: string;
    error?: string;
  } {
    const gw = sb.endpoints.wayne.gateway!;
    const auth = sb.credentials.wayne.basicAuth!;
    const cert = opts.cert === "sandbox" ? { cert: sb.tls.clientCert, key: sb.tls.clientKey } : opts.cert === "foreign" ? foreign : {};
    return ns.runNode(CLIENT, {
      host: ns.hostAddresses[opts.from],
      port: gw.port,
      path: opts.path ?? "/ws/v1/usage",
      servername: gw.host,
      from: ns.clientAddresses[opts.from],
      ca: sb.tls.caCert,
      ...cert,
      auth: opts.password === undefined ? undefined : `${auth.username}:${opts.password}`,
    });
  }

  it("answers 200 with the usage when certificate, address and password are all right", () => {
    const r = call({ from: "allowed", cert: "sandbox", password: sb.credentials.wayne.basicAuth!.password });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body!)).toMatchObject({ quotas: { mode: "soft" } });
  });

  it("runs the gateway with the sandbox CA's revocation list in place of the stack's", () => {
    const cfgPath = (fs.readdirSync(sb.dir, { recursive: true }) as string[]).filter((f) => f.endsWith("client-ca.crl"));
    expect(cfgPath.length).toBeGreaterThan(0);
    const crl = fs.readFileSync(path.join(sb.dir, cfgPath[0]), "utf8");
    expect(crl).toContain("-----BEGIN X509 CRL-----");
    expect(crl).not.toBe(fs.readFileSync(path.join(tmp, "other-ca.crl"), "utf8"));
  });

  it("refuses a web-service call without a client certificate (403)", () => {
    expect(call({ from: "allowed", password: sb.credentials.wayne.basicAuth!.password }).status).toBe(403);
  });

  it("refuses a client certificate from another CA (TLS handshake aborted)", () => {
    const r = call({ from: "allowed", cert: "foreign", password: sb.credentials.wayne.basicAuth!.password });
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|EPROTO|ERR_SSL|alert/i);
  });

  it("refuses an address that is not on the allow-list (403), even with certificate and password", () => {
    expect(call({ from: "blocked", cert: "sandbox", password: sb.credentials.wayne.basicAuth!.password }).status).toBe(403);
  });

  it("asks for credentials again on a wrong basic-auth password (401)", () => {
    expect(call({ from: "allowed", cert: "sandbox", password: "wrong-password" }).status).toBe(401);
    expect(call({ from: "allowed", cert: "sandbox" }).status).toBe(401);
  });

  it("keeps the depot open to end users from any address (the checks guard /ws/ only)", () => {
    const r = call({ from: "blocked", path: "/healthz" });
    expect(r.status).toBe(200);
  });
});
