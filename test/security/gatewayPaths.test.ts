/**
 * Issue 15.1: every decision the gateway makes on a path — the /ws/ connection checks, the /admin/
 * block, routing — is made on the normalized path, through the real HAProxy with the rendered config.
 * The gateway requires a client certificate on /ws/; requests below present none unless they say so.
 */
import { rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { haLimits, tmpDir } from "./support";

jest.setTimeout(120_000);

describe("the gateway decides on the normalized path (real HAProxy)", () => {
  let gw: StandaloneGateway;
  beforeAll(async () => {
    gw = await startStandaloneGateway({ dir: tmpDir("paths"), limits: haLimits(), clientCertificate: true });
  });
  afterAll(async () => gw?.stop());

  const get = (path: string, clientCert?: "good") => rawHttpsRequest(gw, `GET ${path} HTTP/1.1`, { clientCert });
  const seenByBackend = async (path: string, clientCert?: "good") => {
    const before = gw.backendRequests.length;
    const r = await get(path, clientCert);
    return { status: r.status, forwarded: gw.backendRequests.slice(before).map((x) => x.url) };
  };

  // Spellings that mean /ws/… once normalized.
  const wsSpellings = [
    "/%77s/v1/tickets",
    "/%77%73/v1/usage",
    "//ws/v1/usage",
    "/./ws/v1/usage",
    "/depot/../ws/v1/usage",
    "/%2e/ws/v1/usage",
    "/%2E%2E/ws/v1/usage",
    "/ws/./v1/usage",
    "///ws//v1/usage",
    "/x/%2e%2e/ws/v1/usage",
  ];

  it.each(wsSpellings)("applies the connection checks to %s (no client certificate: 403, nothing forwarded)", async (p) => {
    expect(await seenByBackend(p)).toEqual({ status: 403, forwarded: [] });
  });

  it.each(["/WS/v1/usage", "/Ws/v1/usage", "/%57s/v1/usage", "/ws", "/WS"])(
    "treats the case variant %s as a web-service call too (403 without certificate)",
    async (p) => {
      expect(await seenByBackend(p)).toEqual({ status: 403, forwarded: [] });
    },
  );

  it.each([
    ["/%77s/v1/usage", "/ws/v1/usage"],
    ["//ws/v1/usage", "/ws/v1/usage"],
    ["/depot/../ws/v1/usage", "/ws/v1/usage"],
    ["/%2e/ws/v1/usage?month=2026-11", "/ws/v1/usage?month=2026-11"],
  ])("forwards %s as the normalized %s once the checks pass", async (p, normalized) => {
    expect(await seenByBackend(p, "good")).toEqual({ status: 200, forwarded: [normalized] });
  });

  it.each(["/admin/v1/tickets", "/%61dmin/v1/tickets", "//admin/v1", "/./admin/", "/depot/../admin/v1/tickets", "/ADMIN/v1", "/admin", "/%2e%2e/admin/"])(
    "never routes %s (404), not even with a valid client certificate",
    async (p) => {
      expect(await seenByBackend(p, "good")).toEqual({ status: 404, forwarded: [] });
    },
  );

  it.each([
    "/ws%2Fv1/usage",
    "/ws%2fv1/usage",
    "/depot%2F..%2Fws/v1",
    "/ws%5Cv1",
    "/ws/v1%00/usage",
    "/ws\\v1/usage",
    "/ws;jsessionid=1/v1/usage",
    "/%2577s/v1/usage",
    "/depot/%C3%A9",
  ])("refuses the ambiguous %s with 400 (nothing forwarded)", async (p) => {
    expect(await seenByBackend(p, "good")).toEqual({ status: 400, forwarded: [] });
  });

  it("refuses a raw non-ASCII byte in the path with 400", async () => {
    const before = gw.backendRequests.length;
    const r = await rawHttpsRequest(gw, Buffer.from("GET /depot/\xe9 HTTP/1.1", "latin1"));
    expect(r.status).toBe(400);
    expect(gw.backendRequests.length).toBe(before);
  });

  it("serves the depot without any check, with its path unchanged", async () => {
    expect(await seenByBackend("/depot/v1/tickets/ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2/activations")).toEqual({
      status: 200,
      forwarded: ["/depot/v1/tickets/ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2/activations"],
    });
  });
});
