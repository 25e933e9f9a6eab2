import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { operationsNames } from "../model/naming";
import { unwrapSecrets } from "../planner/planValues";
import { STATUS_PORTAL_PASSWORDS_OUTPUT } from "../program/deployStack";
import { loadStack } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { DockerDeployment, runPlanInDocker } from "./runPlanInDocker";
import { checker, pollUntil, runSmoke } from "./smokeRun";
import { issueCertificate, makeCertificateAuthority } from "../sandbox/sandboxCertificates";
import { ALERTMANAGER_PATHS } from "../components/AlertmanagerServer";
import { HEAL_SERVICE_PORT } from "../render/heal/serviceConfig";

/**
 * npm run docker:ops-smoke — a High Performance customer and the operations stack watching it, planned with
 * the real program (materialized secrets) and created on the real Docker engine (images from `npm run
 * docker:images`): Prometheus, Alertmanager, the blackbox exporter and the notifier turn healthy, Prometheus
 * answers /-/ready and scrapes the customer's parts by container name over the customer's network; the status
 * portal turns healthy behind its HTTPS entry (published on the host), its public page names no customer, the
 * entry never passes /v1/ or /metrics, and the customer logs in with the password of the stack's secret output.
 * The heal service turns healthy beside its MariaDB (Docker socket and lchost:heal's directories bind-mounted); its
 * HTTPS port answers only on the operations network, 401 without Alertmanager's client certificate and token, 200
 * with them; Alertmanager's config passes amtool with the heal receiver, and an alert posted to Alertmanager reaches
 * the heal service, which looks at the customer's containers through the engine and leaves a healthy line alone.
 */
const DOMAIN = "lchost.test";
const CUSTOMER = "smoke-ops-hp";
const OPS = "smoke-ops";
/** The status portal's HTTPS entry on this host (lchost:httpsPort of the operations stack). */
const PORTAL_PORT = 18447;
const PORTAL_HOST = `status.${DOMAIN}`;

const check = checker("docker ops smoke");

/** GET inside a container (the operations ports are never published): curl from the image. */
function getInside(container: string, url: string): string {
  return execFileSync("docker", ["exec", container, "curl", "-fsS", "--max-time", "5", url], { encoding: "utf8" });
}

interface PortalAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the portal's published HTTPS entry as a browser would send it (the entry's certificate is self-signed). */
function portalRequest(
  method: "GET" | "POST",
  path: string,
  opts: { cookie?: string; form?: Record<string, string>; auth?: string } = {},
): Promise<PortalAnswer> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  const headers: Record<string, string> = { Host: `${PORTAL_HOST}:${PORTAL_PORT}`, "Accept-Language": "en" };
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.auth) headers.Authorization = opts.auth;
  if (body !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    headers["Content-Length"] = String(Buffer.byteLength(body));
    headers.Origin = `https://${PORTAL_HOST}:${PORTAL_PORT}`;
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port: PORTAL_PORT, servername: PORTAL_HOST, path, method, headers, rejectUnauthorized: false, timeout: 10_000, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** name=value of each Set-Cookie header (attributes dropped). */
function cookiesOf(a: PortalAnswer): string[] {
  const set = a.headers["set-cookie"];
  return (Array.isArray(set) ? set : set ? [set] : []).map((c) => c.split(";")[0]);
}

/** The customer logs in through the form (CSRF token from the login page), then opens its own page with the session. */
async function portalLogin(customer: string, password: string): Promise<{ login: number; page: PortalAnswer | undefined; wrong: number }> {
  const form = await portalRequest("GET", "/login");
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  const loginCookie = cookiesOf(form).join("; ");
  const wrong = await portalRequest("POST", "/login", { cookie: loginCookie, form: { username: customer, password: `${password}-wrong`, csrf } });
  // a refused login hands out a fresh CSRF token
  const csrf2 = /name="csrf" value="([^"]+)"/.exec(wrong.body)?.[1] ?? "";
  const r = await portalRequest("POST", "/login", { cookie: cookiesOf(wrong).join("; "), form: { username: customer, password, csrf: csrf2 } });
  const session = cookiesOf(r).find((c) => c.startsWith("__Host-portal_session="));
  const page = r.status === 303 && session ? await portalRequest("GET", String(r.headers.location), { cookie: session }) : undefined;
  return { login: r.status, page, wrong: wrong.status };
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
  const healStateDir = path.join(dir, "docker-run");
  fs.mkdirSync(healStateDir);
  fs.writeFileSync(
    path.join(opsDir, `Pulumi.${OPS}.yaml`),
    YAML.stringify({
      config: {
        "lchost:role": "operations",
        "lchost:domain": DOMAIN,
        "lchost:httpsPort": PORTAL_PORT,
        "lchost:fleet": { stacksDir: dir },
        // the heal service's bind mounts: scratch directories of this run (the smoke deploys without lchost up's state)
        "lchost:heal": { stateDir: healStateDir, stacksDir: dir },
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
  const opsPlan = await planner.plan(loadStack(OPS, opsDir));
  deployments.push(await runPlanInDocker(opsPlan));
  check(
    true,
    `operations stack is up: Prometheus, Alertmanager, blackbox exporter, notifier, status portal, its MariaDB and HTTPS entry, the heal service and its MariaDB healthy (${Math.round((Date.now() - opsStarted) / 1000)} s)`,
  );
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

  // the status portal: healthy behind its published HTTPS entry; Alertmanager reaches it on the operations network
  const health = (name: string) => execFileSync("docker", ["inspect", "-f", "{{.State.Health.Status}}", name], { encoding: "utf8" }).trim();
  // the stand-in waits only for what others depend on: the portal (schema at start) and its entry may still be starting
  for (const name of [names.portalDatabase, names.statusPortal, names.portalEntry]) {
    const state = await pollUntil(
      () => health(name),
      (h) => h === "healthy" || h === "unhealthy",
      120_000,
    );
    check(state === "healthy", `${name} is healthy (${state})`);
  }
  check(
    getInside(names.alertmanager, `http://${names.statusPortal}:9096/healthz`) !== undefined,
    "Alertmanager reaches the portal's webhook host on the operations network",
  );
  // the entry's first health checks of the portal may still be under way: a few seconds of 503 are fine
  let publicPage: PortalAnswer = { status: 0, headers: {}, body: "" };
  for (const deadline = Date.now() + 60_000; publicPage.status !== 200 && Date.now() < deadline;) {
    publicPage = await portalRequest("GET", "/").catch((e: Error) => ({ status: 0, headers: {}, body: e.message }));
    if (publicPage.status !== 200) await new Promise((r) => setTimeout(r, 2000));
  }
  check(publicPage.status === 200, `the public page answers 200 through https://${PORTAL_HOST}:${PORTAL_PORT}/ (${publicPage.status})`);
  check(!publicPage.body.includes(CUSTOMER), `the public page names no customer (no '${CUSTOMER}' in ${publicPage.body.length} bytes)`);
  for (const p of ["/v1/alertmanager", "/v1/admin/incidents", "/V1/admin/incidents", "/metrics"]) {
    const r = await portalRequest("GET", p);
    check(r.status === 404, `the entry never passes ${p} from outside (${r.status})`);
  }
  const passwords = unwrapSecrets(opsPlan.outputs[STATUS_PORTAL_PASSWORDS_OUTPUT]) as Record<string, string>;
  check(
    Object.keys(passwords).join(",") === CUSTOMER,
    `the stack's secret output holds one portal password per customer (${Object.keys(passwords).join(", ")})`,
  );
  const login = await portalLogin(CUSTOMER, passwords[CUSTOMER]);
  check(login.wrong === 401, `a wrong password is refused (${login.wrong})`);
  check(login.login === 303, `${CUSTOMER} logs in with the generated password (${login.login})`);
  check(
    login.page?.status === 200 && login.page.body.includes(CUSTOMER),
    `${CUSTOMER}'s own page answers 200 with its session and names it (${login.page?.status ?? "no session"})`,
  );
  const feed = await portalRequest("GET", `/c/${CUSTOMER}/feed.atom`, {
    auth: `Basic ${Buffer.from(`${CUSTOMER}:${passwords[CUSTOMER]}`).toString("base64")}`,
  });
  check(feed.status === 200 && feed.body.includes("<feed"), `its Atom feed answers 200 with HTTP Basic and the same password (${feed.status})`);
  await healChecks(names);
  console.log(`docker ops smoke: PASS in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The heal service on the real engine: healthy, reachable from Alertmanager on the operations network only, refusing
 * posts without Alertmanager's client certificate and token, accepting them with Alertmanager's own files (its 0400
 * key and token, read as its user); alertmanager.yml passes amtool; an alert Alertmanager routes to it arrives.
 */
async function healChecks(names: ReturnType<typeof operationsNames>) {
  const health = (name: string) => execFileSync("docker", ["inspect", "-f", "{{.State.Health.Status}}", name], { encoding: "utf8" }).trim();
  for (const name of [names.healDatabase, names.heal]) {
    const state = await pollUntil(
      () => health(name),
      (h) => h === "healthy" || h === "unhealthy",
      120_000,
    );
    check(state === "healthy", `${name} is healthy (${state})`);
  }
  const inspect = JSON.parse(execFileSync("docker", ["inspect", names.heal], { encoding: "utf8" }))[0];
  check(
    Object.keys(inspect.NetworkSettings.Networks).join(",") === names.network && Object.keys(inspect.HostConfig.PortBindings ?? {}).length === 0,
    `${names.heal} joins only ${names.network} and publishes no port (${Object.keys(inspect.NetworkSettings.Networks).join(", ")})`,
  );
  check(
    (inspect.Mounts as Array<{ Destination: string; RW: boolean }>).some((m) => m.Destination === "/var/run/docker.sock" && m.RW),
    `${names.heal} has the Docker socket bind-mounted`,
  );
  const am = ALERTMANAGER_PATHS.heal;
  const url = `https://${names.heal}:${HEAL_SERVICE_PORT}/v1/alertmanager`;
  const resolvedOnly = JSON.stringify({
    version: "4",
    status: "resolved",
    alerts: [
      {
        status: "resolved",
        labels: { alertname: "LineDown", customer: CUSTOMER, severity: "critical", component: "license-central", part: "line-1" },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
      },
    ],
  });
  /** POST from inside Alertmanager's container (curl verifies the heal service's certificate against the heal CA); the status code. */
  const post = (auth: string) =>
    execFileSync(
      "docker",
      [
        "exec",
        names.alertmanager,
        "sh",
        "-c",
        `curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --cacert ${am.ca} -X POST -H 'Content-Type: application/json' --data '${resolvedOnly}' ${auth} ${url}`,
      ],
      { encoding: "utf8" },
    ).trim();
  // the token is read inside the container: it never passes through this process or its arguments
  const token = `-H "Authorization: Bearer $(cat ${am.token})"`;
  const cert = `--cert ${am.clientCert} --key ${am.clientKey}`;
  check(post("") === "401", "an unauthenticated post to the heal service is refused with 401 (its TLS certificate verified for its name by the heal CA)");
  check(post(token) === "401", "a post with the token but no client certificate is refused with 401");
  check(post(cert) === "401", "a post with Alertmanager's client certificate but no token is refused with 401");
  check(post(`${cert} ${token}`) === "200", "a post with Alertmanager's client certificate and token is accepted (200), as Alertmanager's own user");
  const amtool = execFileSync("docker", ["exec", names.alertmanager, "amtool", "check-config", ALERTMANAGER_PATHS.config], { encoding: "utf8" });
  check(
    /SUCCESS/.test(amtool) && /receivers/.test(amtool),
    `alertmanager.yml with the heal receiver passes amtool check-config (${amtool.replace(/\s+/g, " ").trim()})`,
  );

  // end to end: an alert Alertmanager routes to the heal receiver reaches the service over mTLS with the token; the
  // crash-loop playbook asks the engine (the socket) about the line and leaves the healthy line alone
  const alert = JSON.stringify([
    {
      labels: { alertname: "LineDown", customer: CUSTOMER, severity: "critical", component: "license-central", part: "line-1" },
      annotations: { summary: "ops smoke: routed to the heal service" },
      startsAt: new Date().toISOString(),
    },
  ]);
  execFileSync("docker", [
    "exec",
    names.alertmanager,
    "curl",
    "-fsS",
    "--max-time",
    "5",
    "-X",
    "POST",
    "-H",
    "Content-Type: application/json",
    "--data",
    alert,
    `http://127.0.0.1:${ALERTMANAGER_PATHS.port}/api/v2/alerts`,
  ]);
  // the service logs JSON lines (pino) to stderr
  const lines = () => {
    const r = spawnSync("docker", ["logs", names.heal], { encoding: "utf8" });
    return `${r.stdout}\n${r.stderr}`
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const seen = await pollUntil(
    () => lines(),
    (ls) => ls.some((l) => l.msg === "nothing to do" && l.alert === "LineDown" && l.customer === CUSTOMER),
    60_000,
  );
  const accepted = seen.find((l) => l.msg === "alerts accepted" && l.by === "client-certificate+token");
  const verdict = seen.find((l) => l.msg === "nothing to do" && l.alert === "LineDown" && l.customer === CUSTOMER);
  check(accepted !== undefined, "Alertmanager delivered the LineDown alert to the heal service with its client certificate and token");
  check(
    verdict !== undefined && /running, healthy/.test(String(verdict.why)),
    `the heal service asked the engine about ${CUSTOMER}'s line-1 and left it alone (${String(verdict?.why ?? "no verdict within 60 s")})`,
  );
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-ops-smoke-"));
runSmoke((deployments) => main(scratch, deployments), scratch);
