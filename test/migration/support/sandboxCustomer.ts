/**
 * What the sandbox migration tests share: a Datacenter tenant started on its shared server's sandbox
 * (SandboxTarget) and seeded, a migration of it through the planner and engine as `lchost migrate`
 * does it, its month's usage and requests through its stable HTTPS entry.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { adminTicket, datacenterStackFile, entryRequest, everyOrderedPairWalk, seedTenant, sharedServerStackFile } from "../../../bench/migrationFixtures";
import { EditionId } from "../../../model/catalog";
import { parseStackFileText } from "../../../model/stackFile";
import type { CustomerConfig } from "../../../model/stackConfig";
import { planFromCurrentView } from "../../../migration/planFromCurrentView";
import { ProgressLog } from "../../../migration/progressLog";
import { MigrationResult, runMigration } from "../../../migration/runMigration";
import { SandboxTarget } from "../../../migration/sandboxTarget";
import { TableChecksum } from "../../../migration/tableChecksums";

export interface SandboxCustomer {
  customer: string;
  baseDir: string;
  stackPath: string;
  target: SandboxTarget;
  /** Lines printed after the suite (plans, steps, windows). */
  report: string[];
}

/** Starts `customer` as a Datacenter tenant on its shared server's sandbox and seeds `tickets` activated tickets. */
export async function startDatacenterCustomer(customer: string, tickets: number): Promise<SandboxCustomer> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "lcmig-"));
  fs.chmodSync(baseDir, 0o711); // the database nodes run as mysql and must reach their directories
  const stackPath = path.join(baseDir, `Pulumi.${customer}.yaml`);
  fs.writeFileSync(stackPath, datacenterStackFile(customer));
  const sharedPath = path.join(baseDir, "Pulumi.shared-dc1.yaml");
  fs.writeFileSync(sharedPath, sharedServerStackFile([customer]));
  const c: SandboxCustomer = { customer, baseDir, stackPath, target: undefined as unknown as SandboxTarget, report: [] };
  try {
    c.target = await SandboxTarget.start({ stackFile: stackPath, sharedStackFile: sharedPath, workDir: path.join(baseDir, "t"), serviceLogLevel: "warn" });
    await seedTenant((await c.target.current()).database, tickets);
  } catch (err) {
    await stopCustomer(c);
    throw err;
  }
  return c;
}

/** Stops every sandbox of the customer (by PID, in SandboxTarget), prints the report, removes the files. */
export async function stopCustomer(c: SandboxCustomer | undefined): Promise<void> {
  if (!c) return;
  await c.target?.stop();
  process.stdout.write(`${c.report.join("\n")}\n`);
  fs.rmSync(c.baseDir, { recursive: true, force: true });
}

/** The business tables (the maintenance row differs by design: it is on at the dump). */
export const business = (c: TableChecksum[]) => c.filter((t) => t.table !== "lc_maintenance");

const month = () => new Date().toISOString().slice(0, 7);

export async function usageNow(c: SandboxCustomer) {
  const v = await c.target.current();
  const res = await fetch(`${v.lines[0].adminUrl}/admin/v1/usage?month=${month()}`, { headers: { authorization: `Bearer ${v.adminToken}` } });
  const b = (await res.json()) as any;
  return { activations: b.activations, deactivations: b.deactivations, webServiceCalls: b.webServiceCalls };
}

/** The customer's stack file as it is on disk now. */
export function currentStack(c: SandboxCustomer): { text: string; config: CustomerConfig } {
  const text = fs.readFileSync(c.stackPath, "utf8");
  return { text, config: parseStackFileText(text, c.stackPath).config as CustomerConfig };
}

/** Plans and runs `lchost migrate <customer> --to <edition> [--lines N]` on the sandbox. */
export async function migrate(c: SandboxCustomer, edition: EditionId, lines?: number, beforeStep?: (s: string) => Promise<void>): Promise<MigrationResult> {
  const { plan, text, current } = await planFromCurrentView({ stackName: c.customer, stackPath: c.stackPath, target: c.target, to: { edition, lines } });
  const log = new ProgressLog((l) => c.report.push(`  ${l}`));
  c.report.push(`${current.edition} -> ${edition}${lines ? ` (${lines} lines)` : ""}: planned downtime ~${plan.downtime.seconds} s`);
  return runMigration({
    plan,
    target: c.target,
    log,
    workDir: path.join(c.baseDir, "dumps"),
    stackFile: { path: c.stackPath, oldText: text },
    beforeStep,
    readyTimeoutMs: LOADED_MACHINE_READY_MS,
  });
}

/** The new lines' /readyz deadline: the product's 30 s is for a quiet host; CI may run beside other heavy work. */
const LOADED_MACHINE_READY_MS = 120_000;

/** One request through the customer's entry, as its end users make it (published name as SNI and Host). */
export function throughEntry(c: SandboxCustomer, method: string, urlPath: string, body?: unknown) {
  const e = c.target.entryInfo();
  return entryRequest(e.url, fs.readFileSync(e.caCert, "utf8"), method, urlPath, body, e.host);
}

/** Activates a fresh ticket through the customer's HTTPS entry point; answers the HTTP status. */
export async function activateThroughEntry(c: SandboxCustomer, tag: string): Promise<number> {
  const v = await c.target.current();
  const ticket = await adminTicket(v.lines[0].adminUrl, v.adminToken, `probe-${tag}-${Date.now()}`);
  const res = await throughEntry(c, "POST", `/depot/v1/tickets/${ticket}/activations`, { container: `probe-${tag}`, idempotencyKey: `probe-${tag}-${ticket}` });
  return res.status;
}

/** One closed walk over every ordered pair of editions (shared with the Docker bench). */
export { everyOrderedPairWalk };
