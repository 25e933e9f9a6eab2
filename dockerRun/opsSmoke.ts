import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { operationsNames } from "../model/naming";
import { loadStack } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { DockerDeployment, runPlanInDocker } from "./runPlanInDocker";
import { issueCertificate, makeCertificateAuthority } from "../sandbox/sandboxCertificates";

/**
 * npm run docker:ops-smoke — a High Performance customer and the operations stack watching it, planned with
 * the real program (materialized secrets) and created on the real Docker engine (images from `npm run
 * docker:images`): Prometheus, Alertmanager, the blackbox exporter and the notifier turn healthy, Prometheus
 * answers /-/ready and scrapes the customer's parts by container name over the customer's network.
 */
const DOMAIN = "lchost.test";
const CUSTOMER = "smoke-ops-hp";
const OPS = "smoke-ops";

function check(cond: unknown, what: string): void {
  if (!cond) throw new Error(`docker ops smoke: ${what}`);
  console.log(`ok - ${what}`);
}

/** GET inside a container (the operations ports are never published): curl from the image. */
function getInside(container: string, url: string): string {
  return execFileSync("docker", ["exec", container, "curl", "-fsS", "--max-time", "5", url], { encoding: "utf8" });
}

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  health: string;
  lastError: string;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-ops-smoke-"));
  const ca = makeCertificateAuthority(dir, "ca", "ops smoke CA", 2);
  issueCertificate(dir, "client", ca, { commonName: "erp", usage: "client", days: 2 });
  const write = (name: string, config: Record<string, unknown>) =>
    fs.writeFileSync(
      path.join(dir, `Pulumi.${name}.yaml`),
      YAML.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`lchost:${k}`, v])) }),
    );
  write(CUSTOMER, {
    customer: CUSTOMER,
    edition: "high-performance",
    domain: DOMAIN,
    httpsPort: 18446,
    connection: { clientCertificate: { caCertificate: fs.readFileSync(ca.cert, "utf8") } },
    notifications: { email: ["ops@smoke.example"], webhook: { url: "https://hooks.smoke.example/lchost", secretKey: "hookSecret" } },
    hookSecret: { secure: "v1:placeholder" },
  });
  const opsDir = path.join(dir, "ops");
  fs.mkdirSync(opsDir);
  fs.writeFileSync(
    path.join(opsDir, `Pulumi.${OPS}.yaml`),
    YAML.stringify({
      config: {
        "lchost:role": "operations",
        "lchost:domain": DOMAIN,
        "lchost:fleet": { stacksDir: dir },
        "lchost:operations": { onCall: { email: ["oncall@smoke.example"] }, smtp: { smarthost: "smtp.smoke.example:25", from: "alerts@smoke.example" } },
      },
    }),
  );

  const planner = new StackPlanner({ materialize: true, configSecrets: { hookSecret: "smoke-webhook-secret-0123456789" } });
  const deployments: DockerDeployment[] = [];
  const started = Date.now();
  const names = operationsNames(OPS);
  try {
    deployments.push(await runPlanInDocker(await planner.plan(loadStack(CUSTOMER, dir))));
    check(true, `High Performance customer is up and healthy (${Math.round((Date.now() - started) / 1000)} s)`);
    const opsStarted = Date.now();
    deployments.push(await runPlanInDocker(await planner.plan(loadStack(OPS, opsDir))));
    check(true, `operations stack is up: Prometheus, Alertmanager, blackbox exporter and notifier healthy (${Math.round((Date.now() - opsStarted) / 1000)} s)`);
    // curl -f: only a 2xx answer gets here
    check(getInside(names.prometheus, "http://127.0.0.1:9090/-/ready") !== undefined, "Prometheus answers /-/ready with 200");
    check(getInside(names.alertmanager, "http://127.0.0.1:9093/-/ready") !== undefined, "Alertmanager answers /-/ready with 200");
    check(getInside(names.blackbox, "http://127.0.0.1:9115/-/healthy") !== undefined, "the blackbox exporter answers /-/healthy with 200");
    const amSeen = JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/alertmanagers")).data.activeAlertmanagers as Array<{ url: string }>;
    check(
      amSeen.some((a) => a.url.includes(names.alertmanager)),
      `Prometheus sends alerts to ${names.alertmanager} (${amSeen.map((a) => a.url).join(", ")})`,
    );

    // every scrape of a customer part by container name over the customer's network: wait for the first round
    let targets: Target[] = [];
    const deadline = Date.now() + 60_000;
    const want = ["lc-line", "fsb", "haproxy", "mysqld", "blackbox-https"];
    while (Date.now() < deadline) {
      targets = JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/targets?state=active")).data.activeTargets;
      const up = new Set(targets.filter((t) => t.health === "up").map((t) => t.scrapePool));
      if (want.every((j) => up.has(j))) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const line = (t: Target) => `${t.scrapePool} ${t.labels.part ?? ""} ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`;
    console.log(targets.map((t) => `  ${line(t)}`).join("\n"));
    check(
      targets.length > 0 && targets.every((t) => t.labels.customer === CUSTOMER),
      `Prometheus shows ${targets.length} targets, all labelled customer=${CUSTOMER}`,
    );
    for (const job of want)
      check(
        targets.some((t) => t.scrapePool === job && t.health === "up"),
        `job ${job} is scraped and up`,
      );
    const probe = JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/query?query=probe_success")).data.result as Array<{
      value: [number, string];
    }>;
    console.log(`  probe_success of the entry: ${probe.map((p) => p.value[1]).join(", ") || "(no series yet)"}`);
    console.log(`docker ops smoke: PASS in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    for (const d of deployments.reverse()) await d.remove().catch((e) => console.error(`cleanup: ${e.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
