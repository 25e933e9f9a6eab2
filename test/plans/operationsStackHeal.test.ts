/**
 * The heal service as the operations stack deploys it (stacks/Pulumi.ops-dc1.yaml, planned under the mock runtime):
 * its configuration is the renderer's and the service accepts it, its MariaDB and retained volume, the Docker socket and
 * lchost:heal's directories bind-mounted, only the operations network; and the trust between Alertmanager and it — the
 * heal CA, the server and client certificates it issued, the token — real (materialized plan) and secret end to end.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ALERTMANAGER_PATHS, ALERTMANAGER_USER } from "../../components/AlertmanagerServer";
import { HEAL_COMMAND } from "../../components/HealService";
import { HEAL_DATABASE } from "../../editions/OperationsStack";
import { parseHealConfig } from "../../heal/service/config";
import { packageRoot } from "../../model/packageRoot";
import { loadStack } from "../../model/stackFile";
import { Plan } from "../../planner/mockPlanner";
import { StackPlanner } from "../../planner/planWithReferences";
import { checkPolicies } from "../../planner/policyCheck";
import { maskSecrets } from "../../planner/planValues";
import { HEAL_RECEIVER, HEAL_TRIGGER_ALERTS } from "../../render/alertmanager/config";
import { HEAL_SERVICE_PATHS, renderHealServiceConfig } from "../../render/heal/serviceConfig";
import { container, holdsSecret, uploadList, uploads } from "./support/plannedContainers";

jest.setTimeout(180_000);

const P = HEAL_SERVICE_PATHS;

let plan: Plan;
let real: Plan;
beforeAll(async () => {
  plan = await new StackPlanner().plan(loadStack("ops-dc1"));
  real = await new StackPlanner({ materialize: true }).plan(loadStack("ops-dc1"));
});

describe("the heal service's container", () => {
  test("runs the toolkit's `lchost heal serve` from the catalog's heal image with the renderer's configuration, which the service accepts", () => {
    const c = container(plan, "heal");
    expect(c.inputs.name).toBe("lc-ops-dc1-heal");
    expect(c.inputs.image).toBe("lchost/heal:dev");
    expect(c.inputs.entrypoints).toEqual(HEAL_COMMAND);
    expect(HEAL_COMMAND).toEqual(["node", "/app/dist/cli/main.js", "heal", "serve", "--config", "/etc/lchost/heal/heal.json"]);
    const file = uploads(plan, "heal")[P.config];
    expect(file).toBe(
      renderHealServiceConfig({
        database: { host: "lc-ops-dc1-heal-db", port: 3306, user: HEAL_DATABASE.user, name: HEAL_DATABASE.schema },
        alertmanagerUrl: "http://lc-ops-dc1-alertmanager:9093",
        dryRun: false,
      }),
    );
    const cfg = parseHealConfig(JSON.parse(file));
    // every file the configuration names is uploaded
    expect(Object.keys(uploads(plan, "heal")).sort()).toEqual(
      [P.config, cfg.tls.certFile, cfg.tls.keyFile, cfg.tls.clientCaFile, cfg.tokenFile, cfg.database.passwordFile].sort(),
    );
  });

  test("joins only the operations network and publishes no port", () => {
    const c = container(plan, "heal");
    expect((c.inputs.networksAdvanced as Array<{ name: string }>).map((n) => n.name)).toEqual(["lc-ops-dc1"]);
    expect(c.inputs.ports).toBeUndefined();
  });

  test("has the Docker socket, lchost up's state directory and the stack files bind-mounted read-write (lchost:heal defaults, relative to the project root)", () => {
    expect(container(plan, "heal").inputs.volumes).toEqual([
      { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: false },
      { hostPath: path.join(packageRoot(), ".docker-run"), containerPath: "/var/lib/lchost/docker-run", readOnly: false },
      { hostPath: path.join(packageRoot(), "stacks"), containerPath: "/var/lib/lchost/stacks", readOnly: false },
    ]);
  });

  test("takes other directories and a dry run from lchost:heal", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-ops-heal-"));
    try {
      const text = fs.readFileSync(path.join(packageRoot(), "stacks", "Pulumi.ops-dc1.yaml"), "utf8");
      const doc = YAML.parse(text);
      doc.config["lchost:fleet"] = { stacksDir: path.join(packageRoot(), "stacks") };
      doc.config["lchost:heal"] = { stateDir: "/srv/lchost/docker-run", stacksDir: "/srv/lchost/stacks", dryRun: true };
      fs.writeFileSync(path.join(dir, "Pulumi.ops-dc1.yaml"), YAML.stringify(doc));
      const other = await new StackPlanner().plan(loadStack("ops-dc1", dir));
      expect((container(other, "heal").inputs.volumes as Array<{ hostPath: string }>).map((v) => v.hostPath)).toEqual([
        "/var/run/docker.sock",
        "/srv/lchost/docker-run",
        "/srv/lchost/stacks",
      ]);
      expect(parseHealConfig(JSON.parse(uploads(other, "heal")[P.config])).dryRun).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("is health-checked over HTTPS, verifying its certificate for its own name against the heal CA", () => {
    expect(container(plan, "heal").inputs.healthcheck.tests).toEqual([
      "CMD",
      "curl",
      "-fsS",
      "--max-time",
      "2",
      "-o",
      "/dev/null",
      "--cacert",
      "/etc/lchost/heal/ca.crt",
      "--resolve",
      "lc-ops-dc1-heal:9097:127.0.0.1",
      "https://lc-ops-dc1-heal:9097/healthz",
    ]);
  });

  test("its secret files are readable by its own user only (0400)", () => {
    const modes = Object.fromEntries(uploadList(plan, "heal").map((u) => [u.file, u.permissions]));
    expect(modes).toEqual({
      [P.config]: "0400",
      [P.serverCert]: "0444",
      [P.clientCa]: "0444",
      [P.serverKey]: "0400",
      [P.token]: "0400",
      [P.databasePassword]: "0400",
    });
  });

  test("the sandbox does not run it or its database (its seams in the sandbox are in-process)", () => {
    for (const name of ["heal", "heal-db", "heal-db-exporter"]) {
      expect(container(plan, name).inputs.labels).toContainEqual({ label: "lchost.not-in-sandbox", value: "heal" });
    }
    for (const name of ["alertmanager", "status-portal", "status-portal-db"]) {
      expect(container(plan, name).inputs.labels).not.toContainEqual(expect.objectContaining({ label: "lchost.not-in-sandbox" }));
    }
  });
});

describe("the heal service's MariaDB", () => {
  test("creates the heal schema and user with the password of the service's password file, on its retained volume", () => {
    const password = uploads(plan, "heal")[P.databasePassword];
    const init = uploads(plan, "heal-db")["/etc/lchost/db/init.sql"];
    expect(init).toContain("CREATE DATABASE IF NOT EXISTS `heal`");
    expect(init).toContain(`CREATE USER IF NOT EXISTS 'heal'@'%' IDENTIFIED BY '${password}';`);
    expect(init).toContain("GRANT ALL PRIVILEGES ON `heal`.* TO 'heal'@'%';");
    expect(container(plan, "heal-db").inputs.volumes).toEqual([{ volumeName: "lc-ops-dc1-heal-db-data", containerPath: "/var/lib/mysql" }]);
    const volume = plan.resources.find((r) => r.type === "docker:index/volume:Volume" && r.inputs.name === "lc-ops-dc1-heal-db-data");
    expect(volume?.retainOnDelete).toBe(true);
    // created once its database is healthy (it creates the audit table at start)
    expect(container(plan, "heal").dependsOn).toContain(container(plan, "heal-db").urn);
  });
});

describe("Alertmanager's heal receiver", () => {
  const am = (p: Plan) => YAML.parse(uploads(p, "alertmanager")[ALERTMANAGER_PATHS.config]);

  test("posts the trigger alerts to the heal service's HTTPS port with its client certificate and the token, verifying the server against the heal CA", () => {
    const doc = am(plan);
    const receiver = doc.receivers.find((r: any) => r.name === HEAL_RECEIVER);
    expect(receiver.webhook_configs).toEqual([
      {
        url: "https://lc-ops-dc1-heal:9097/v1/alertmanager",
        send_resolved: true,
        max_alerts: 50,
        http_config: {
          authorization: { type: "Bearer", credentials_file: ALERTMANAGER_PATHS.heal.token },
          tls_config: {
            ca_file: ALERTMANAGER_PATHS.heal.ca,
            cert_file: ALERTMANAGER_PATHS.heal.clientCert,
            key_file: ALERTMANAGER_PATHS.heal.clientKey,
            insecure_skip_verify: false,
          },
          follow_redirects: false,
        },
      },
    ]);
    expect(doc.route.routes).toContainEqual({ receiver: HEAL_RECEIVER, matchers: [`alertname=~"${HEAL_TRIGGER_ALERTS.join("|")}"`], continue: true });
  });

  test("every file it names is uploaded to Alertmanager; key and token 0400, owned by the image's prometheus user", () => {
    const byFile = Object.fromEntries(uploadList(plan, "alertmanager").map((u) => [u.file, u]));
    const h = ALERTMANAGER_PATHS.heal;
    const own = { owner: String(ALERTMANAGER_USER.uid), group: String(ALERTMANAGER_USER.gid) };
    expect(byFile[h.token]).toMatchObject({ permissions: "0400", ...own });
    expect(byFile[h.clientKey]).toMatchObject({ permissions: "0400", ...own });
    expect(byFile[h.clientCert]).toMatchObject({ permissions: "0444" });
    expect(byFile[h.ca]).toMatchObject({ permissions: "0444" });
    // the Dockerfile pins that user's ids
    const dockerfile = fs.readFileSync(path.join(packageRoot(), "scripts", "docker", "alertmanager", "Dockerfile"), "utf8");
    expect(dockerfile).toContain(`groupadd --system --gid ${ALERTMANAGER_USER.gid} prometheus`);
    expect(dockerfile).toContain(`useradd --system --uid ${ALERTMANAGER_USER.uid} --gid prometheus`);
  });

  test("presents the token the heal service checks, and trusts the CA the service's clients are checked against", () => {
    expect(uploads(real, "alertmanager")[ALERTMANAGER_PATHS.heal.token]).toBe(uploads(real, "heal")[P.token]);
    expect(uploads(real, "alertmanager")[ALERTMANAGER_PATHS.heal.ca]).toBe(uploads(real, "heal")[P.clientCa]);
  });
});

describe("the heal CA and its certificates (materialized plan)", () => {
  test("the service's certificate is for its container name, for servers, issued by the heal CA, and matches its key", () => {
    const ca = new crypto.X509Certificate(uploads(real, "heal")[P.clientCa]);
    const server = new crypto.X509Certificate(uploads(real, "heal")[P.serverCert]);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe("DNS:lc-ops-dc1-heal");
    expect(server.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(server.checkPrivateKey(crypto.createPrivateKey(uploads(real, "heal")[P.serverKey]))).toBe(true);
  });

  test("Alertmanager's client certificate is for clients, issued by the same CA, and matches the key it is uploaded with", () => {
    const ca = new crypto.X509Certificate(uploads(real, "heal")[P.clientCa]);
    const client = new crypto.X509Certificate(uploads(real, "alertmanager")[ALERTMANAGER_PATHS.heal.clientCert]);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(client.checkPrivateKey(crypto.createPrivateKey(uploads(real, "alertmanager")[ALERTMANAGER_PATHS.heal.clientKey]))).toBe(true);
  });

  test("planned again with the deployed plan, the CA, certificates, keys and token stay: the heal and Alertmanager containers are not replaced", async () => {
    const again = await new StackPlanner({ materialize: true, previous: real }).plan(loadStack("ops-dc1"));
    for (const name of ["heal", "alertmanager"]) expect(uploads(again, name)).toEqual(uploads(real, name));
  });

  test("keys, token and database password appear nowhere in plain text: not in inputs, outputs, resource names or upload paths", () => {
    const heal = uploads(real, "heal");
    const secrets = [
      heal[P.serverKey],
      heal[P.token],
      heal[P.databasePassword],
      uploads(real, "alertmanager")[ALERTMANAGER_PATHS.heal.clientKey],
      ...real.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name.startsWith("heal-")).map((r) => r.name),
    ];
    const keys = secrets.slice(0, 4);
    expect(keys[0]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys[3]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys[1]).toHaveLength(40);
    expect(keys[2]).toHaveLength(32);
    expect(new Set(keys).size).toBe(4);
    const masked = JSON.stringify({
      resources: real.resources.map((r) => ({ urn: r.urn, inputs: maskSecrets(r.inputs) })),
      outputs: maskSecrets(real.outputs),
    });
    const names = JSON.stringify(
      real.resources
        .map((r) => r.urn)
        .concat(
          uploadList(real, "heal").map((u) => u.file),
          uploadList(real, "alertmanager").map((u) => u.file),
        ),
    );
    const body = (pem: string) => pem.split("\n").filter((l) => l && !l.startsWith("-----"))[0];
    for (const s of keys) {
      const needle = s.startsWith("-----") ? body(s) : s;
      expect(masked).not.toContain(needle);
      expect(names).not.toContain(needle);
    }
    for (const name of ["heal", "alertmanager"]) {
      expect(holdsSecret(container(real, name).inputs.uploads)).toBe(true);
      expect(container(real, name).additionalSecretOutputs).toContain("uploads");
    }
    // the certificates are not secret: they are public by nature
    expect(masked).toContain(body(heal[P.serverCert]));
  });
});

test("the policies pass on the operations stack with the heal service (the Docker socket is its alone)", async () => {
  expect(await checkPolicies(loadStack("ops-dc1"), plan)).toEqual([]);
});
