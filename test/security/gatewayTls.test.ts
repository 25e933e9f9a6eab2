/**
 * Issue 15.8 on the real HAProxy: the client-certificate revocation list is enforced, and every
 * answer — the backend's and the gateway's own 400/401/403/404/429 — carries HSTS and nosniff.
 */
import { rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { haLimits, tmpDir } from "./support";

jest.setTimeout(120_000);

describe("TLS client certificates and security headers (real HAProxy)", () => {
  let gw: StandaloneGateway;
  const auth = `Authorization: Basic ${Buffer.from("crm:right-password").toString("base64")}`;
  beforeAll(async () => {
    gw = await startStandaloneGateway({
      dir: tmpDir("tls"),
      limits: { ...haLimits(), requestsPerSourcePer10s: 40 },
      clientCertificate: true,
      basicAuth: { username: "crm", password: "right-password" },
    });
  });
  afterAll(async () => gw?.stop());

  it("accepts a good client certificate of the customer's CA", async () => {
    const r = await rawHttpsRequest(gw, `GET /ws/v1/usage HTTP/1.1\r\n${auth}`, { clientCert: "good" });
    expect(r.status).toBe(200);
  });

  it("refuses a client certificate on the CA's revocation list in the handshake", async () => {
    const before = gw.backendRequests.length;
    const r = await rawHttpsRequest(gw, `GET /ws/v1/usage HTTP/1.1\r\n${auth}`, { clientCert: "revoked" });
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/REVOKED/);
    expect(gw.backendRequests.length).toBe(before);
  });

  const secured = (h: Record<string, string>) => ({ hsts: h["strict-transport-security"], nosniff: h["x-content-type-options"] });
  const expected = { hsts: "max-age=63072000", nosniff: "nosniff" };

  it.each([
    ["the backend's answer", "GET /depot/v1/x HTTP/1.1", "good", 200],
    ["the gateway's 400 (ambiguous path)", "GET /ws%2Fv1 HTTP/1.1", undefined, 400],
    ["the gateway's 401 (no password)", "GET /ws/v1/usage HTTP/1.1", "good", 401],
    ["the gateway's 403 (no client certificate)", `GET /ws/v1/usage HTTP/1.1\r\n${auth}`, undefined, 403],
    ["the gateway's 404 (admin API)", "GET /admin/v1/tickets HTTP/1.1", undefined, 404],
  ] as const)("sends HSTS and nosniff on %s", async (_label, head, cert, status) => {
    const r = await rawHttpsRequest(gw, head, { clientCert: cert });
    expect(r.status).toBe(status);
    expect(secured(r.headers)).toEqual(expected);
  });

  it("sends HSTS and nosniff on the gateway's 429 when one source sends too many requests", async () => {
    let last = await rawHttpsRequest(gw, "GET /depot/v1/x HTTP/1.1", { localAddress: "127.0.9.9" });
    for (let i = 0; i < 60 && last.status !== 429; i++) last = await rawHttpsRequest(gw, "GET /depot/v1/x HTTP/1.1", { localAddress: "127.0.9.9" });
    expect(last.status).toBe(429);
    expect(secured(last.headers)).toEqual(expected);
    // Another source is not affected.
    expect((await rawHttpsRequest(gw, "GET /depot/v1/x HTTP/1.1", { localAddress: "127.0.9.10" })).status).toBe(200);
  });
});
