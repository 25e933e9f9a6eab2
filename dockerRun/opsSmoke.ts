import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { operationsNames } from "../model/naming";
import { loadStack } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { DockerDeployment, runPlanInDocker } from "./runPlanInDocker";
import { checker, pollUntil, runSmoke } from "./smokeRun";
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

const check = checker("docker ops smoke");

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

async function main(dir: string, deployments: DockerDeployment[]) {
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
  const started = Date.now();
  const names = operationsNames(OPS);
  deployments.push(await runPlanInDocker(await planner.plan(loadStack(CUSTOMER, dir))));
  check(true, `High Performance customer is up and healthy (${Math.round((Date.now() - started) / 1000)} s)`);
  const opsStarted = Date.now();
  deployments.push(await runPlanInDocker(await planner.plan(loadStack(OPS, opsDir))));
  check(true, `operations stack is up: Prometheus, Alertmanager, blackbox exporter and notifier healthy (${Math.round((Date.now() - opsStarted) / 1000)} s)`);
  // curl -f: only a 2xx answer gets here
  check(getInside(names.prometheus, "http://127.0.0.1:9090/-/ready") !== undefined, "Prometheus answers /-/ready with 200");
  check(getInside(names.alertmanager, "http://127.0.0.1:9093/-/ready") !== undefined, "Alertmanager answers /-/ready with 200");
  check(getInside(names.blackbox, "http://127.0.0.1:9115/-/healthy") !== undefined, "the blackbox exporter answers /-/healthy with 200");
  // Prometheus's notifier picks up its Alertmanagers a few seconds after /-/ready: poll, don't read once
  const amSeen = await pollUntil(
    () => JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/alertmanagers")).data.activeAlertmanagers as Array<{ url: string }>,
    (seen) => seen.some((a) => a.url.includes(names.alertmanager)),
    30_000,
  );
  check(
    amSeen.some((a) => a.url.includes(names.alertmanager)),
    `Prometheus sends alerts to ${names.alertmanager} (${amSeen.map((a) => a.url).join(", ") || "none yet after 30 s"})`,
  );

  // every scrape of a customer part by container name over the customer's network: wait for the first round
  const want = ["lc-line", "fsb", "haproxy", "mysqld", "blackbox-https"];
  const targets = await pollUntil(
    () => JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/targets?state=active")).data.activeTargets as Target[],
    (seen) => {
      const up = new Set(seen.filter((t) => t.health === "up").map((t) => t.scrapePool));
      return want.every((j) => up.has(j));
    },
    60_000,
  );
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
  // the probe reaches the customer's entry by TLS and trusts exactly the certificate the customer's stack serves
  const probe = await pollUntil(
    () => JSON.parse(getInside(names.prometheus, "http://127.0.0.1:9090/api/v1/query?query=probe_success")).data.result as Array<{ value: [number, string] }>,
    (seen) => seen.length > 0 && seen.every((p) => p.value[1] === "1"),
    60_000,
  );
  check(
    probe.length > 0 && probe.every((p) => p.value[1] === "1"),
    `the blackbox probe of the customer's HTTPS entry succeeds, verifying its certificate (probe_success ${probe.map((p) => p.value[1]).join(", ") || "none"})`,
  );
  console.log(`docker ops smoke: PASS in ${Math.round((Date.now() - started) / 1000)} s`);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-ops-smoke-"));
runSmoke((deployments) => main(scratch, deployments), scratch);
