import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadStack } from "../model/stackFile";
import { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { StackPlanner } from "../planner/planWithReferences";
import { DockerDeployment, runPlanInDocker } from "./runPlanInDocker";
import { checker, runSmoke } from "./smokeRun";
import { issueCertificate, makeCertificateAuthority } from "../sandbox/sandboxCertificates";

/**
 * npm run docker:plan-smoke — plans stacks of every kind with the real program (materialized secrets),
 * creates exactly those containers on the real Docker engine (images from `npm run docker:images`),
 * and drives traffic through the published HTTPS endpoints: a Datacenter tenant on a shared server,
 * a High Performance server with client certificate + basic auth, and a High Availability package with
 * a 3-node Galera cluster that keeps serving when a line is killed.
 */
const DOMAIN = "lchost.test";
const PASSWORD = "smoke-basic-auth-pw";
const IMAGES = { balancer: "lchost/haproxy:dev" };

const check = checker("docker plan smoke");

interface Tls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A throw-away client CA and a client certificate from it (the same openssl recipe the sandbox uses). */
function clientCertificate(dir: string): Tls {
  const ca = makeCertificateAuthority(dir, "ca", "smoke CA", 2);
  const client = issueCertificate(dir, "client", ca, { commonName: "erp", usage: "client", days: 2 });
  const read = (f: string) => fs.readFileSync(f, "utf8");
  return { caPem: read(ca.cert), certPem: read(client.cert), keyPem: read(client.key) };
}

function request(
  port: number,
  host: string,
  method: string,
  pathName: string,
  opts: { body?: unknown; tls?: Tls; auth?: string } = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: pathName,
        servername: host,
        rejectUnauthorized: false, // the stack's server certificate is self-signed
        cert: opts.tls?.certPem,
        key: opts.tls?.keyPem,
        headers: {
          Host: host,
          ...(data ? { "content-type": "application/json" } : {}),
          ...(opts.auth ? { authorization: `Basic ${Buffer.from(opts.auth).toString("base64")}` } : {}),
        },
        timeout: 20_000,
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          let body: any = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* HAProxy's own pages are HTML */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    if (data) req.write(data);
    req.end();
  });
}

function containerEnv(plan: Plan, container: string, key: string): string {
  const c = plan.resources.find((r) => r.type === "docker:index/container:Container" && unwrapSecrets(r.inputs.name) === container);
  const env = (unwrapSecrets(c?.inputs.envs) as string[] | undefined) ?? [];
  const hit = env.find((e) => e.startsWith(`${key}=`));
  if (!hit) throw new Error(`${container} has no ${key}`);
  return hit.slice(key.length + 1);
}

/** Creates a ticket through License Central's admin API, inside the line's container (the port is never published). */
function adminTicket(plan: Plan, line: string, orderId: string): string {
  const token = containerEnv(plan, line, "LC_ADMIN_TOKEN");
  const js = `fetch("http://127.0.0.1:8081/admin/v1/tickets",{method:"POST",headers:{"content-type":"application/json",authorization:"Bearer "+process.env.T},body:JSON.stringify({orderId:${JSON.stringify(orderId)},items:[{productCode:101,quantity:1000}]})}).then(r=>r.json()).then(j=>console.log(j.ticket))`;
  return execFileSync("docker", ["exec", "-e", `T=${token}`, line, "node", "-e", js], { encoding: "utf8" }).trim();
}

/** Activates each ticket once (a ticket is active in one container at a time). */
async function activate(port: number, host: string, tickets: string[], prefix: string): Promise<number> {
  let ok = 0;
  for (const [i, ticket] of tickets.entries()) {
    const r = await request(port, host, "POST", `/depot/v1/tickets/${ticket}/activations`, {
      body: { container: `${prefix}-${i}`, idempotencyKey: `${prefix}-${i}` },
    });
    if (r.status === 201) ok++;
    else console.log(`  activation ${prefix}-${i}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }
  return ok;
}

async function main(dir: string, deployments: DockerDeployment[]) {
  const tls = clientCertificate(dir);
  const write = (name: string, config: Record<string, unknown>) =>
    fs.writeFileSync(
      path.join(dir, `Pulumi.${name}.yaml`),
      YAML.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`lchost:${k}`, v])) }),
    );
  write("smoke-shared", { role: "shared-server", tenants: ["smoke-dc"], domain: DOMAIN, httpsPort: 18443, images: IMAGES });
  write("smoke-dc", { customer: "smoke-dc", edition: "datacenter", sharedServer: "smoke-shared" });
  const connection = { clientCertificate: { caCertificate: tls.caPem }, basicAuth: { username: "erp", passwordKey: "wsPassword" } };
  write("smoke-hp", {
    customer: "smoke-hp",
    edition: "high-performance",
    domain: DOMAIN,
    httpsPort: 18444,
    images: IMAGES,
    connection,
    wsPassword: { secure: "v1:placeholder" },
  });
  write("smoke-ha", {
    customer: "smoke-ha",
    edition: "high-availability",
    lines: 3,
    domain: DOMAIN,
    httpsPort: 18445,
    images: IMAGES,
    connection,
    wsPassword: { secure: "v1:placeholder" },
  });

  const planner = new StackPlanner({ materialize: true, configSecrets: { wsPassword: PASSWORD } });
  const started = Date.now();
  // Datacenter: shared server first, then the tenant, which creates its schema with the SQL job.
  const sharedPlan = await planner.plan(loadStack("smoke-shared", dir));
  deployments.push(await runPlanInDocker(sharedPlan));
  const dcPlan = await planner.plan(loadStack("smoke-dc", dir));
  deployments.push(await runPlanInDocker(dcPlan));
  check(true, `shared server and Datacenter tenant are up and healthy (${Math.round((Date.now() - started) / 1000)} s)`);
  const dcTickets = [1, 2, 3].map((i) => adminTicket(dcPlan, "lc-smoke-dc-line-1", `DC-${i}`));
  check(
    dcTickets.every((t) => /^[A-Z0-9-]{29}$/.test(t)),
    `admin API created tickets for the tenant (${dcTickets.join(", ")})`,
  );
  check((await activate(18443, `smoke-dc.${DOMAIN}`, dcTickets, "dc")) === 3, "3 activations through the shared HTTPS entry point, routed by host name");
  const dcWs = await request(18443, `smoke-dc.${DOMAIN}`, "POST", "/ws/v1/tickets", { body: { orderId: "x", items: [{ productCode: 1, quantity: 1 }] } });
  check(dcWs.status === 403, `the tenant's web-service path is refused (${dcWs.status})`);
  const unknownHost = await request(18443, `nobody.${DOMAIN}`, "GET", "/depot/v1/anything");
  check(unknownHost.status === 404, `an unknown tenant host name gets 404 (${unknownHost.status})`);

  // High Performance: dedicated database and FSB, web services behind client certificate + basic auth.
  const hpPlan = await planner.plan(loadStack("smoke-hp", dir));
  deployments.push(await runPlanInDocker(hpPlan));
  check(true, "High Performance server is up and healthy");
  const order = { orderId: "HP-1", items: [{ productCode: 7, quantity: 5 }] };
  const noCert = await request(18444, `smoke-hp.${DOMAIN}`, "POST", "/ws/v1/tickets", { body: order, auth: `erp:${PASSWORD}` });
  check(noCert.status === 403, `web services without a client certificate: 403 (${noCert.status})`);
  const badPw = await request(18444, `smoke-hp.${DOMAIN}`, "POST", "/ws/v1/tickets", { body: order, tls, auth: "erp:wrong-password" });
  check(badPw.status === 401, `web services with a wrong basic-auth password: 401 (${badPw.status})`);
  const good = await request(18444, `smoke-hp.${DOMAIN}`, "POST", "/ws/v1/tickets", { body: order, tls, auth: `erp:${PASSWORD}` });
  check(
    good.status === 201 && good.body.ticket,
    `web services with certificate and password create a ticket (${good.status}${good.status === 201 ? "" : ` ${JSON.stringify(good.body)}`})`,
  );
  check((await activate(18444, `smoke-hp.${DOMAIN}`, [good.body.ticket], "hp")) === 1, "an activation signed by the dedicated FSB");

  // High Availability: 3 lines, 3 FSBs, 3-node Galera cluster behind the balancer.
  const haPlan = await planner.plan(loadStack("smoke-ha", dir));
  const haStart = Date.now();
  deployments.push(await runPlanInDocker(haPlan));
  check(true, `High Availability package is up and healthy (${Math.round((Date.now() - haStart) / 1000)} s)`);
  const size = execFileSync("docker", ["exec", "lc-smoke-ha-db-3", "mariadb", "-N", "-e", "SHOW STATUS LIKE 'wsrep_cluster_size'"], {
    encoding: "utf8",
  }).trim();
  check(/\t3$/.test(size), `the Galera cluster has 3 nodes (${size.replace("\t", " = ")})`);
  const haTickets: string[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await request(18445, `smoke-ha.${DOMAIN}`, "POST", "/ws/v1/tickets", {
      body: { orderId: `HA-${i}`, items: [{ productCode: 9, quantity: 1 }] },
      tls,
      auth: `erp:${PASSWORD}`,
    });
    if (r.status === 201) haTickets.push(r.body.ticket);
  }
  check(haTickets.length === 12, `web services created 12 tickets through the balancer (${haTickets.length})`);
  check((await activate(18445, `smoke-ha.${DOMAIN}`, haTickets.slice(0, 6), "ha-a")) === 6, "6 activations spread over the lines");
  execFileSync("docker", ["kill", "lc-smoke-ha-line-2"], { stdio: "ignore" });
  check((await activate(18445, `smoke-ha.${DOMAIN}`, haTickets.slice(6), "ha-b")) === 6, "6 more activations succeed right after line 2 was killed");
  const rows = execFileSync("docker", ["exec", "lc-smoke-ha-db-2", "mariadb", "-N", "-e", "SELECT COUNT(*) FROM license_central.lc_activations"], {
    encoding: "utf8",
  }).trim();
  check(Number(rows) === 12, `every acknowledged activation is in the cluster, read on node 2 (${rows})`);
  console.log(`docker plan smoke: PASS in ${Math.round((Date.now() - started) / 1000)} s`);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-docker-smoke-"));
runSmoke((deployments) => main(scratch, deployments), scratch);
