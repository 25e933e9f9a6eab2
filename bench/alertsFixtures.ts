/**
 * What the alerting proofs (test/alerts) and `npm run bench:alerts` share: the two customers with
 * notifications configured, the sandbox with its operations stack, and waiting for what Prometheus,
 * Alertmanager and the customers' receivers see.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { packageRoot } from "../model/packageRoot";
import type { RecordedMail, RecordedWebhook } from "../sandbox/ops/sandboxReceivers";
import type { SandboxHandle } from "../sandbox/startSandbox";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Who each customer is and where it wants to be told (the addresses end at the sandbox's receivers). */
export const CUSTOMERS = {
  wayne: { email: "ops@wayne.example", language: "en" },
  hooli: { email: "ops@hooli.example", language: "de" },
} as const;
export type Customer = keyof typeof CUSTOMERS;

/**
 * The example stacks wayne (High Availability, 2 lines to spare the machine) and hooli (High Performance)
 * with `lchost:notifications` (email + signed webhook), written to `dir`. Returns the two files.
 */
export function writeNotifyingStacks(dir: string): Record<Customer, string> {
  const out = {} as Record<Customer, string>;
  for (const customer of Object.keys(CUSTOMERS) as Customer[]) {
    const doc = YAML.parse(fs.readFileSync(path.join(packageRoot(), "stacks", `Pulumi.${customer}.yaml`), "utf8"));
    if (customer === "wayne") doc.config["lchost:lines"] = 2;
    doc.config["lchost:notifications"] = {
      email: [CUSTOMERS[customer].email],
      webhook: { url: `https://hooks.${customer}.example/lchost`, secretKey: "notifyWebhookSecret" },
      language: CUSTOMERS[customer].language,
      severity: "warning",
    };
    doc.config["lchost:notifyWebhookSecret"] = { secure: "v1:c2FuZGJveA==:cGxhbm5lZC1wbGFjZWhvbGRlcg==" };
    const file = path.join(dir, `Pulumi.${customer}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    out[customer] = file;
  }
  return out;
}

export async function getJson(url: string, timeoutMs = 5000): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing" | "inactive";
  activeAt?: string;
}

/** Prometheus's view: every pending or firing alert (`/api/v1/alerts`). */
export async function prometheusAlerts(sb: SandboxHandle): Promise<PromAlert[]> {
  return (await getJson(`${sb.operations!.prometheusUrl}/api/v1/alerts`)).data.alerts;
}

/** Scrape targets that are not up (job, instance, labels, last error). */
export async function targetsNotUp(
  sb: SandboxHandle,
): Promise<Array<{ job: string; instance: string; health: string; error: string; labels: Record<string, string> }>> {
  const t = (await getJson(`${sb.operations!.prometheusUrl}/api/v1/targets?state=active`)).data.activeTargets as any[];
  if (t.length === 0) return [{ job: "(none)", instance: "", health: "no targets at all", error: "", labels: {} }];
  return t
    .filter((x) => x.health !== "up")
    .map((x) => ({ job: x.labels.job, instance: x.labels.instance, health: x.health, error: x.lastError, labels: x.labels }));
}

/** Polls `check` (every 250 ms) until it returns a value; throws `what` with the last state on timeout. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  describe?: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `; ${await describe()}` : ""}`);
    await sleep(250);
  }
}

/** Every target up and no alert pending or firing: the sandbox is quiet. */
export async function waitQuiet(sb: SandboxHandle, timeoutMs: number, customer?: string): Promise<void> {
  let last = "";
  const mine = (labels: Record<string, string>) => customer === undefined || labels.customer === customer;
  await waitFor(
    `every scrape target up and no alert pending or firing${customer ? ` for ${customer}` : ""}`,
    timeoutMs,
    async () => {
      const down = (
        await targetsNotUp(sb).catch((e) => [{ job: "?", instance: "", health: String(e), error: "", labels: {} as Record<string, string> }])
      ).filter((t) => t.job === "?" || t.job === "(none)" || mine(t.labels));
      const alerts = down.length ? [] : (await prometheusAlerts(sb)).filter((a) => mine(a.labels));
      last = JSON.stringify({ down: down.slice(0, 5), alerts: alerts.map((a) => ({ ...a.labels, state: a.state })).slice(0, 5) });
      return down.length === 0 && alerts.length === 0 ? true : undefined;
    },
    () => last,
  );
}

/** Nothing received (by anyone, on-call included) for `quietMs`: notifications of an earlier fault are all out. */
export async function waitReceiversQuiet(sb: SandboxHandle, quietMs: number, timeoutMs: number): Promise<void> {
  const r = sb.operations!.receivers;
  const last = () => Math.max(0, ...[...r.webhooks.records.all(), ...r.mail.records.all()].map((x) => at(x.receivedAt)));
  await waitFor(`${quietMs} ms without any notification`, timeoutMs, () => (Date.now() - last() >= quietMs ? true : undefined));
}

export interface AlertMatch {
  customer: string;
  component: string;
  /** The part, when the fault names one (line-2, db-3, fsb-1). */
  part?: string;
  status: "firing" | "resolved";
}

const matchesAlert = (m: AlertMatch) => (a: { status: string; component: string; part: string }) =>
  a.status === m.status && a.component === m.component && (m.part === undefined || a.part === m.part);

const at = (iso: string) => Date.parse(iso);

/** A webhook delivery to `m.customer` (signature verified) carrying an alert of that component (and part) in that status, received after `since`. */
export function webhookFor(sb: SandboxHandle, m: AlertMatch, since: number): (RecordedWebhook & { receivedAtMs: number }) | undefined {
  const w = sb
    .operations!.receivers.webhooks.records.all()
    .find((x) => at(x.receivedAt) >= since && x.customer === m.customer && x.body?.customer === m.customer && (x.body?.alerts ?? []).some(matchesAlert(m)));
  return w && { ...w, receivedAtMs: at(w.receivedAt) };
}

/** A mail to the customer's address received after `since` whose subject says firing/resolved in its language. */
export function mailFor(sb: SandboxHandle, m: AlertMatch, since: number): RecordedMail | undefined {
  const address = CUSTOMERS[m.customer as Customer]?.email;
  return sb
    .operations!.receivers.mail.records.all()
    .find((x) => at(x.receivedAt) >= since && x.rcptTo.includes(address) && (m.status === "resolved" ? RESOLVED_SUBJECT : FIRING_SUBJECT).test(x.subject));
}
const FIRING_SUBJECT = /disruption|Störung/;
const RESOLVED_SUBJECT = /resolved|behoben/;

/** What reached a customer's webhook or mailbox since `since` (both channels). */
export function receivedBy(sb: SandboxHandle, customer: Customer | "_oncall", since: number): Array<RecordedWebhook | RecordedMail> {
  const r = sb.operations!.receivers;
  return [
    ...r.webhooks.records.all().filter((w) => at(w.receivedAt) >= since && w.customer === customer),
    ...(customer === "_oncall" ? [] : r.mail.records.all().filter((m) => at(m.receivedAt) >= since && m.rcptTo.includes(CUSTOMERS[customer].email))),
  ];
}

/** Everything any customer (on-call excluded) received since `since`. */
export function customerNotificationsSince(sb: SandboxHandle, since: number): Array<RecordedWebhook | RecordedMail> {
  return (Object.keys(CUSTOMERS) as Customer[]).flatMap((c) => receivedBy(sb, c, since));
}
