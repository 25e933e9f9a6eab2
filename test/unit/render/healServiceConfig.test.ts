/**
 * The heal service's configuration as the operations stack renders it (render/heal/serviceConfig.ts) is one the
 * service itself accepts (heal/service/config.ts parseHealConfig), and says what the deployment needs: HTTPS on the
 * operations network, the Alertmanager path only, the Docker runtime on the bind-mounted socket, no secret inline.
 */
import { HEAL_DEFAULTS, parseHealConfig } from "../../../heal/service/config";
import { HEAL_SERVICE_PATHS, HEAL_SERVICE_PORT, healServiceConfig, renderHealServiceConfig } from "../../../render/heal/serviceConfig";

const input = {
  database: { host: "lc-ops-dc1-heal-db", port: 3306, user: "heal", name: "heal" },
  alertmanagerUrl: "http://lc-ops-dc1-alertmanager:9093",
  dryRun: false,
};

describe("renderHealServiceConfig", () => {
  it("renders a file the heal service accepts, with its defaults for the playbooks", () => {
    const cfg = parseHealConfig(JSON.parse(renderHealServiceConfig(input)));
    expect(cfg).toMatchObject({
      listen: { host: "0.0.0.0", port: 9097 },
      tls: { certFile: "/etc/lchost/heal/server.crt", keyFile: "/etc/lchost/heal/server.key", clientCaFile: "/etc/lchost/heal/ca.crt" },
      tokenFile: "/etc/lchost/heal/token",
      dryRun: false,
      database: { host: "lc-ops-dc1-heal-db", port: 3306, user: "heal", passwordFile: "/etc/lchost/heal/db-password", database: "heal" },
      alertmanagerUrl: "http://lc-ops-dc1-alertmanager:9093",
      runtime: { kind: "docker", stateDir: "/var/lib/lchost/docker-run", dockerHost: "unix:///var/run/docker.sock" },
      budget: HEAL_DEFAULTS.budget,
      crashLoop: HEAL_DEFAULTS.crashLoop,
      fsbHang: HEAL_DEFAULTS.fsbHang,
      galera: HEAL_DEFAULTS.galera,
      tickSeconds: HEAL_DEFAULTS.tickSeconds,
      stacksDir: "/var/lib/lchost/stacks",
    });
    expect(cfg.listen.port).toBe(HEAL_SERVICE_PORT);
  });

  it("opens only the Alertmanager path: no HMAC secret file, so signed posts are refused", () => {
    const cfg = parseHealConfig(JSON.parse(renderHealServiceConfig(input)));
    expect(cfg.signatureSecretFile).toBeUndefined();
  });

  it("passes lchost:heal.dryRun through", () => {
    expect(parseHealConfig(JSON.parse(renderHealServiceConfig({ ...input, dryRun: true }))).dryRun).toBe(true);
  });

  it("names every secret by a file under /etc/lchost/heal/ (the uploads), never inline", () => {
    const file = healServiceConfig(input);
    const paths = [file.tls.certFile, file.tls.keyFile, file.tls.clientCaFile, file.tokenFile, file.database.passwordFile];
    for (const p of paths) expect(p).toMatch(/^\/etc\/lchost\/heal\/[a-z.-]+$/);
    expect(Object.values(HEAL_SERVICE_PATHS)).toEqual(expect.arrayContaining(paths));
    const keys = (v: unknown): string[] => (v !== null && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    const credentialKeys = keys(file).filter((k) => /password|secret|token|key/i.test(k));
    expect(credentialKeys.sort()).toEqual(["keyFile", "passwordFile", "tokenFile"]);
  });

  it("is the same text for the same input, ending with a newline", () => {
    expect(renderHealServiceConfig(input)).toBe(renderHealServiceConfig({ ...input }));
    expect(renderHealServiceConfig(input).endsWith("}\n")).toBe(true);
  });
});
