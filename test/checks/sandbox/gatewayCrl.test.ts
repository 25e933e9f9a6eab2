import { renderHaproxyConfig } from "../../../haproxy/renderConfig";
import { PlannedContainer, TranslationContext, translateContainer } from "../../../sandbox/containerTranslation";

const DIR = "/usr/local/etc/haproxy";
const gateway = (): PlannedContainer => ({
  name: "lc-wayne-gateway",
  labels: [{ label: "lchost.role", value: "https-entry-point" }],
  uploads: [
    {
      file: `${DIR}/haproxy.cfg`,
      content: renderHaproxyConfig({
        bind: { address: "*", port: 8443 },
        certificatePath: `${DIR}/tls/server.pem`,
        clientCaPath: `${DIR}/tls/client-ca.crt`,
        clientCrlPath: `${DIR}/tls/client-ca.crl`,
        webServices: true,
        backends: [{ name: "license_central", servers: [{ name: "line1", address: "lc-wayne-line-1", port: 8080 }] }],
        health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
        limits: { maxConnections: 100, connectionsPerSource: 10, requestsPerSourcePer10s: 100 },
      }),
    },
    { file: `${DIR}/tls/server.pem`, content: "PLANNED-SERVER-PEM" },
    { file: `${DIR}/tls/client-ca.crt`, content: "THE CUSTOMER'S CA" },
    { file: `${DIR}/tls/client-ca.crl`, content: "THE CUSTOMER'S CRL" },
  ],
});
const ctx = (crl?: string): TranslationContext => ({
  stack: "wayne",
  sandboxDir: "/sb",
  addresses: new Map([
    ["lc-wayne-gateway", "127.9.0.1"],
    ["lc-wayne-line-1", "127.9.0.2"],
  ]),
  nodeBinary: "/usr/bin/node",
  services: { fsbEmulator: "/d/fsb.js", licenseCentral: "/d/lc.js" },
  haproxyBinary: "/usr/sbin/haproxy",
  pathEnv: "/usr/bin",
  tls: { serverPem: "SANDBOX-SERVER-PEM", clientCaPem: "SANDBOX-CA", clientCrlPem: crl },
});

describe("the sandbox gateway's client-certificate revocation list", () => {
  it("is the sandbox CA's, written where the rendered config's crl-file points", () => {
    const spec = translateContainer(gateway(), ctx("SANDBOX-CRL"));
    const crl = spec.files.find((f) => f.path.endsWith("/tls/client-ca.crl"))!;
    expect(crl.content).toBe("SANDBOX-CRL");
    expect(spec.config).toContain(`crl-file ${crl.path}`);
    expect(spec.files.find((f) => f.path.endsWith("/tls/client-ca.crt"))!.content).toBe("SANDBOX-CA");
  });

  it("is refused with a clear error when the sandbox has none (the stack's CRL cannot match the sandbox CA)", () => {
    expect(() => translateContainer(gateway(), ctx(undefined))).toThrow(
      "entry point 'lc-wayne-gateway': the stack's lchost:connection.clientCertificate.crl needs the sandbox CA's revocation list, none given",
    );
  });
});
