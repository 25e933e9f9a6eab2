/** The pure pieces the operations stack deploys the status portal with: the stable password hash, the entry's internal paths. */
import { DEFAULT_HEALTH, renderHaproxyConfig } from "../../../haproxy/renderConfig";
import { stablePortalPasswordHash } from "../../../render/statusPortal/customersFile";
import { verifyPortalPassword } from "../../../status-portal/src/passwordHash";

describe("stablePortalPasswordHash", () => {
  const password = "Zq8RkT2mWx9pLc4vNb7s";

  it("gives the same hash for the same customer and password (no container replacement at every up), which the portal verifies", async () => {
    const h = stablePortalPasswordHash("acme", password);
    expect(stablePortalPasswordHash("acme", password)).toBe(h);
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPortalPassword(password, h)).toBe(true);
    expect(await verifyPortalPassword(`${password}x`, h)).toBe(false);
  });

  it("salts per customer and per password: equal passwords never give equal hashes, a new password a new salt", () => {
    const salt = (h: string) => h.split("$")[4];
    expect(salt(stablePortalPasswordHash("acme", password))).not.toBe(salt(stablePortalPasswordHash("globex", password)));
    expect(salt(stablePortalPasswordHash("acme", password))).not.toBe(salt(stablePortalPasswordHash("acme", `${password}2`)));
  });

  it("refuses a password the portal would not accept", () => {
    expect(() => stablePortalPasswordHash("acme", "short")).toThrow(/at least 12 characters/);
  });
});

describe("an entry's internal paths", () => {
  const spec = {
    bind: { address: "*", port: 8443 },
    certificatePath: "/tls/server.pem",
    webServices: false,
    backends: [{ name: "status_portal", servers: [{ name: "portal", address: "portal", port: 9096 }] }],
    health: DEFAULT_HEALTH,
    limits: { maxConnections: 10, connectionsPerSource: 5, requestsPerSourcePer10s: 100 },
  };

  it("are not rendered at all without the option (every other entry's config unchanged)", () => {
    const cfg = renderHaproxyConfig(spec);
    expect(cfg).not.toContain("internal_path");
    expect(cfg).not.toContain("X-Forwarded-For");
  });

  it("are refused with 404 after the normalization, any case", () => {
    const cfg = renderHaproxyConfig({ ...spec, internalPaths: ["/v1", "/internal/api"] });
    expect(cfg).toContain("  acl internal_path path -i -m reg ^/(v1|internal/api)(/|$)\n  http-request deny deny_status 404 if internal_path\n");
    expect(cfg.indexOf("internal_path")).toBeGreaterThan(cfg.indexOf("path-strip-dotdot"));
  });

  it.each(["v1", "/v1/", "/V1", "/v1|x", "/"])("refuses the prefix %s, naming the field", (p) => {
    expect(() => renderHaproxyConfig({ ...spec, internalPaths: [p] })).toThrow(`internalPaths: '${p}' must be a normalized lower-case path prefix like /v1`);
  });
});
