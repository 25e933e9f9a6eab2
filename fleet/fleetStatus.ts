/**
 * `lchost fleet status`: one row per customer, read from its deployment (issue 14 item 5): what
 * `lchost up --target docker` recorded (.docker-run/<stack>.json: the plan it applied, whose outputs name the
 * line containers, the engine and the admin token), the line containers as the engine reports them (image,
 * health, created time) and this month's usage against the quotas from License Central's own admin API
 * (GET /admin/v1/usage on a line's admin port, reached by an exec in the line: nothing is published). A stack
 * without a deployment says "not deployed"; a customer that does not answer says why, without failing the
 * others. Every engine call has a timeout; customers are read a bounded number at a time.
 */
import * as fs from "fs";
import * as path from "path";
import { LC_DEFAULTS } from "../license-central/src/env";
import { EditionId } from "../model/catalog";
import { StackFile, stackNameOfReference } from "../model/stackFile";
import { describeStackDirectoryError, readStackDirectory, StackDirectoryError } from "./stackDirectory";
import type { Plan } from "../planner/mockPlanner";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { openExec } from "../dockerRun/dockerExec";
import { unwrapSecrets } from "../planner/planValues";
import { matchesSelection, SelectTerm } from "./select";

export interface MonthUsage {
  month: string;
  /** Activations + deactivations (what the activations quota counts). */
  activations: number;
  activationsQuota: number | null;
  webServiceCalls: number;
  webServiceCallsQuota: number | null;
}

export interface CustomerStatus {
  customer: string;
  stack: string;
  edition: EditionId;
  /** Where it runs (lchost:host, lchost:hosts, a tenant's shared server's host); empty: not placed. */
  hosts: string[];
  state: "deployed" | "not deployed" | "unreachable";
  /** Why it is unreachable, or what could not be read of a deployed one. */
  detail?: string;
  /** License Central image(s) the lines run. */
  images?: string[];
  lines?: number;
  readyLines?: number;
  usage?: MonthUsage;
  /** ISO time: the newest line container's creation (the state file's time if none runs). */
  lastDeployment?: string;
}

export class FleetStatusInputError extends Error {}

export interface FleetStatusOptions {
  stacksDir: string;
  /** Where `lchost up --target docker` keeps its state (default .docker-run/ of the project). */
  stateDir: string;
  select?: SelectTerm[];
  /** Customers read at once (default 8). */
  concurrency?: number;
  /** Per engine call (default 10 s). */
  timeoutMs?: number;
  /** Default: the deployment's recorded docker:host. */
  engineFor?: (dockerHost: string) => DockerEngine;
}

/** Every stack file of the directory, validated (fleet/stackDirectory.ts); refused as this command's input error. */
function readStackFiles(dir: string): StackFile[] {
  try {
    return readStackDirectory(dir);
  } catch (e) {
    if (e instanceof StackDirectoryError) throw new FleetStatusInputError(describeStackDirectoryError(e));
    throw e;
  }
}

/** The customers of the stack files with their hosts (a tenant: its shared server's host). Pure. */
export function customersOf(stacks: StackFile[]): Array<{ stack: StackFile; customer: string; edition: EditionId; hosts: string[] }> {
  const byName = new Map(stacks.map((s) => [s.stackName, s]));
  const out = [];
  for (const s of stacks) {
    const c = s.config;
    if (c.role !== "customer") continue;
    let hosts: string[] = [];
    if (c.sharedServer !== undefined) {
      const shared = byName.get(stackNameOfReference(c.sharedServer))?.config;
      hosts = shared && shared.role === "shared-server" && shared.host ? [shared.host] : [];
    } else if (c.hosts) hosts = c.hosts.map((h) => (typeof h === "string" ? h : h.name));
    else if (c.host) hosts = [c.host];
    out.push({ stack: s, customer: c.customer, edition: c.edition, hosts });
  }
  return out.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new Error(`${what}: no answer within ${ms} ms`));
      }, ms);
    }),
  ]);
}

/** GET /admin/v1/usage of the line, from inside it (the admin token goes in the exec's environment, never its command line). */
async function usageOfLine(docker: DockerEngine, container: string, adminToken: string, timeoutMs: number): Promise<MonthUsage> {
  const js =
    `fetch("http://127.0.0.1:${LC_DEFAULTS.adminPort}/admin/v1/usage",{headers:{authorization:"Bearer "+process.env.T},signal:AbortSignal.timeout(${timeoutMs})})` +
    `.then(async r=>{const t=await r.text();if(!r.ok){process.stderr.write(r.status+" "+t.slice(0,200));process.exit(1)}process.stdout.write(t)})` +
    `.catch(e=>{process.stderr.write(String(e));process.exit(1)})`;
  let ex: Awaited<ReturnType<typeof openExec>> | undefined;
  const run = (async () => {
    ex = await openExec(docker, container, ["node", "-e", js], { env: [`T=${adminToken}`] });
    let out = "";
    let err = "";
    ex.stdout.on("data", (d) => (out += d));
    ex.stderr.on("data", (d) => (err += d));
    const code = await ex.exitCode;
    if (code !== 0) throw new Error(`admin API of ${container}: ${err.trim().slice(0, 300) || `exit ${code}`}`);
    return JSON.parse(out) as { month: string; activations: number; deactivations: number; webServiceCalls: number; quotas: Record<string, number | null> };
  })();
  const u = await withTimeout(run, timeoutMs, `usage of ${container}`, () => ex?.destroy());
  return {
    month: u.month,
    activations: u.activations + u.deactivations,
    activationsQuota: u.quotas.activationsPerMonth ?? null,
    webServiceCalls: u.webServiceCalls,
    webServiceCallsQuota: u.quotas.webServiceCallsPerMonth ?? null,
  };
}

/** What `lchost up --target docker` recorded of the stack, or undefined. */
function deployedPlan(stateDir: string, stack: string): { plan: Plan; at: Date } | undefined {
  const file = path.join(stateDir, `${stack}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return { plan: JSON.parse(text) as Plan, at: fs.statSync(file).mtime };
}

async function statusOf(
  c: ReturnType<typeof customersOf>[number],
  opts: Required<Pick<FleetStatusOptions, "stateDir" | "timeoutMs">> & Pick<FleetStatusOptions, "engineFor">,
): Promise<CustomerStatus> {
  const row: CustomerStatus = { customer: c.customer, stack: c.stack.stackName, edition: c.edition, hosts: c.hosts, state: "not deployed" };
  // what `lchost up --target docker` deployed is read; a Pulumi deployment (its state backend) is not read yet
  if (c.stack.config.platform === "kubernetes") return { ...row, detail: "on Kubernetes: its deployment is not read yet" };
  const deployed = deployedPlan(opts.stateDir, c.stack.stackName);
  if (!deployed) return row;
  const outputs = unwrapSecrets(deployed.plan.outputs) as Record<string, unknown>;
  const m = outputs.migration as { dockerHost?: string; lineContainers?: string[] } | undefined;
  const lineContainers = m?.lineContainers ?? [];
  const adminToken = outputs.adminToken as string | undefined;
  const docker = opts.engineFor ? opts.engineFor(m?.dockerHost ?? "") : DockerEngine.forHost(m?.dockerHost || undefined);
  row.lines = lineContainers.length;
  try {
    const infos = await Promise.all(
      lineContainers.map(async (name) => {
        const r = await withTimeout(docker.request("GET", `/containers/${encodeURIComponent(name)}/json`), opts.timeoutMs, `docker inspect ${name}`);
        return r.status === 404 ? undefined : r.status < 300 ? { name, info: r.body } : Promise.reject(new Error(`docker inspect ${name}: ${r.status}`));
      }),
    );
    const running = infos.filter((i): i is NonNullable<typeof i> => Boolean(i));
    const ready = running.filter((i) => i.info.State?.Running && (i.info.State?.Health?.Status ?? "healthy") === "healthy");
    row.state = "deployed";
    row.images = [...new Set(running.map((i) => String(i.info.Config?.Image)))].sort();
    row.readyLines = ready.length;
    const created = running.map((i) => Date.parse(i.info.Created)).filter((t) => !Number.isNaN(t));
    row.lastDeployment = new Date(created.length ? Math.max(...created) : deployed.at.getTime()).toISOString();
    if (!ready.length) row.detail = "no line is ready: usage not read";
    else if (!adminToken) row.detail = "the deployment records no admin token: usage not read";
    else {
      try {
        row.usage = await usageOfLine(docker, ready[0].name, adminToken, opts.timeoutMs);
      } catch (e) {
        row.detail = `usage not read: ${(e as Error).message}`;
      }
    }
  } catch (e) {
    row.state = "unreachable";
    row.detail = (e as Error).message;
    row.lastDeployment = deployed.at.toISOString();
  }
  return row;
}

/** Runs `work` over `items`, at most `limit` at a time, answers in the items' order. */
export async function mapBounded<T, R>(items: T[], limit: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** The status of every selected customer, sorted by customer. */
export async function collectFleetStatus(opts: FleetStatusOptions): Promise<CustomerStatus[]> {
  const stacks = readStackFiles(opts.stacksDir);
  const customers = customersOf(stacks).filter((c) => matchesSelection(c, opts.select ?? []));
  return mapBounded(customers, opts.concurrency ?? 8, (c) =>
    statusOf(c, { stateDir: opts.stateDir, timeoutMs: opts.timeoutMs ?? 10_000, engineFor: opts.engineFor }),
  );
}
