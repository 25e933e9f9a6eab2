/**
 * npm run bench:alerts — how fast a customer hears about a fault, with the intervals the operations
 * stack ships (no test shortcut): the sandbox runs wayne (High Availability, 2 lines, 3-node Galera) and
 * hooli (High Performance) with their operations stack under a small activation load; each fault of the
 * proof (kill -9 of a License Central line, an FSB, a Galera node, the single database) is injected
 * ALERTS_BENCH_REPEATS times (default 3), measuring fault -> firing webhook at that customer and restart ->
 * resolved webhook; then ALERTS_BENCH_CLEAN_SECONDS (default 300) of clean traffic counting every
 * notification (a false positive), before the faults; after them ALERTS_BENCH_AFTER_SECONDS (default 120) more,
 * reporting late messages about the faults; then the time to render the monitoring config of 150 customer stacks.
 * Prints a table, then as the last line one JSON object {"bench":"alerts", ...}.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTickets, percentile, runActivationLoad } from "../sandbox/activationLoad";
import type { RecordedMail, RecordedWebhook } from "../sandbox/ops/sandboxReceivers";
import { SandboxHandle, startSandbox } from "../sandbox/startSandbox";
import {
  Customer,
  customerNotificationsSince,
  prometheusAlerts,
  receivedBy,
  waitFor,
  waitQuiet,
  waitReceiversQuiet,
  webhookFor,
  writeNotifyingStacks,
} from "./alertsFixtures";
import { measureRenderMonitoring, writeMonitoredFleet } from "./renderMonitoring";

const REPEATS = Number(process.env.ALERTS_BENCH_REPEATS ?? 3);
const CLEAN_SECONDS = Number(process.env.ALERTS_BENCH_CLEAN_SECONDS ?? 300);
/** After the last fault: how long late messages about the faults are watched for (reported, not counted as false alarms). */
const AFTER_SECONDS = Number(process.env.ALERTS_BENCH_AFTER_SECONDS ?? 120);
/** Generous: a missed target is a figure to report, not a hang. */
const WAIT_MS = 5 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FAULTS: Array<{ what: string; customer: Customer; process: string; component: string; part?: string }> = [
  { what: "License Central line", customer: "wayne", process: "lc-wayne-line-2", component: "line", part: "line-2" },
  { what: "FSB", customer: "hooli", process: "lc-hooli-fsb-1", component: "fsb", part: "fsb-1" },
  { what: "Galera node", customer: "wayne", process: "lc-wayne-db-3", component: "database", part: "db-3" },
  { what: "single database", customer: "hooli", process: "lc-hooli-db", component: "database" },
];

interface Sample {
  fault: string;
  notifySeconds: number;
  resolvedSeconds: number;
}

async function injectOnce(sb: SandboxHandle, f: (typeof FAULTS)[number]): Promise<Sample> {
  await waitQuiet(sb, WAIT_MS);
  await waitReceiversQuiet(sb, 15_000, WAIT_MS); // more than a group interval: the previous fault's notifications are out
  const killedAt = Date.now();
  sb.kill(f.process, "SIGKILL");
  const firing = await waitFor(`${f.customer} told about the ${f.what}`, WAIT_MS, () =>
    webhookFor(sb, { customer: f.customer, component: f.component, part: f.part, status: "firing" }, killedAt),
  );
  await sb.restart(f.process);
  const backAt = Date.now();
  const resolved = await waitFor(`${f.customer} told the ${f.what} is back`, WAIT_MS, () =>
    webhookFor(sb, { customer: f.customer, component: f.component, part: f.part, status: "resolved" }, backAt),
  );
  return { fault: f.what, notifySeconds: (firing.receivedAtMs - killedAt) / 1000, resolvedSeconds: (resolved.receivedAtMs - backAt) / 1000 };
}

interface WatchResult {
  /** Every notification to a customer or on-call in the period. */
  received: Array<RecordedWebhook | RecordedMail>;
  /** Alerts Prometheus showed pending or firing in the period (polled every 5 s). */
  alerts: string[];
}

/** Watches `seconds` of traffic: what every receiver got, and which alerts Prometheus showed meanwhile. */
async function watch(sb: SandboxHandle, label: string, seconds: number): Promise<WatchResult> {
  const from = Date.now();
  const alerts = new Set<string>();
  while (Date.now() - from < seconds * 1000) {
    for (const a of await prometheusAlerts(sb)) alerts.add(`${a.labels.alertname}{customer=${a.labels.customer},part=${a.labels.part}} ${a.state}`);
    await sleep(5000);
  }
  // customers' webhooks and mailboxes, and the on-call webhook
  const received = [...customerNotificationsSince(sb, from), ...receivedBy(sb, "_oncall", from)];
  for (const r of received) {
    const what =
      "subject" in r
        ? `mail to ${r.rcptTo.join(",")}: ${r.subject}`
        : `webhook ${r.customer}: ${r.body?.status} ${(r.body?.alerts ?? []).map((a: { alertname?: string; part?: string; since?: string }) => `${a.alertname}/${a.part} since ${a.since}`).join(", ")}`;
    console.log(`  ${label}: ${r.receivedAt} ${what}`);
  }
  return { received, alerts: [...alerts] };
}

/**
 * The clean period first, on a quiet sandbox under load: every notification in it is a false alarm. Then the
 * faults. Then the same watch once more after the last fault's resolved notification: anything arriving there
 * is a late message about a fault (reported beside, not counted as a false alarm).
 */
async function measure(sb: SandboxHandle): Promise<{ samples: Sample[]; clean: WatchResult; afterFaults: WatchResult }> {
  await waitQuiet(sb, WAIT_MS);
  await waitReceiversQuiet(sb, 15_000, WAIT_MS);
  const clean = await watch(sb, "clean period", CLEAN_SECONDS);
  const samples: Sample[] = [];
  for (let i = 0; i < REPEATS; i++) {
    for (const f of FAULTS) {
      const s = await injectOnce(sb, f);
      samples.push(s);
      console.log(
        `${s.fault.padEnd(24)} run ${i + 1}: notified after ${s.notifySeconds.toFixed(1)} s, resolved notified ${s.resolvedSeconds.toFixed(1)} s after the restart`,
      );
    }
  }
  await waitQuiet(sb, WAIT_MS);
  await waitReceiversQuiet(sb, 15_000, WAIT_MS);
  const afterFaults = await watch(sb, "after the faults", AFTER_SECONDS);
  return { samples, clean, afterFaults };
}

async function main(): Promise<void> {
  // first, in a cold process: mon-render's measurement (npm run bench:render-monitoring), stack files to every file
  const fleetDir = writeMonitoredFleet(150);
  const render150 = measureRenderMonitoring(fleetDir).totalSeconds;
  fs.rmSync(fleetDir, { recursive: true, force: true });
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-bench-alerts-"));
  const files = writeNotifyingStacks(tmp);
  const sb = await startSandbox({
    stackFiles: [files.wayne, files.hooli],
    operations: {},
    name: `bench-alerts-${process.pid}`,
    removeOnStop: true,
    serviceLogLevel: "warn",
  });
  let stopLoad: () => void = () => undefined;
  const loadStopped = new Promise<void>((r) => (stopLoad = r));
  const loads: Array<Promise<unknown>> = [];
  const stop = async () => {
    stopLoad();
    await Promise.all(loads);
    await sb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    const setupSeconds = (Date.now() - started) / 1000;
    for (const c of ["wayne", "hooli"] as Customer[]) {
      const tickets = await createTickets(sb, c, 1500, `bench-alerts-${c}-${process.pid}`, 4);
      loads.push(runActivationLoad(sb, { stack: c, tickets, concurrency: 1, durationMs: 60 * 60_000, stop: loadStopped, timeoutMs: 10_000 }));
    }
    const ops = sb.operations!;
    console.log(
      `sandbox with operations stack ${ops.stack} (${ops.source}) up in ${setupSeconds.toFixed(0)} s; shipped intervals; ${REPEATS} run(s) per fault`,
    );
    const m = await measure(sb);
    stopLoad();
    const loadResults = (await Promise.all(loads.splice(0))) as Array<{ outcomes: unknown[]; failures: unknown[] }>;
    const notify = m.samples.map((s) => s.notifySeconds);
    const resolved = m.samples.map((s) => s.resolvedSeconds);
    console.log("");
    console.log("fault                    notify p50  notify max  resolved max");
    for (const f of FAULTS) {
      const mine = m.samples.filter((s) => s.fault === f.what);
      console.log(
        `${f.what.padEnd(24)} ${percentile(
          mine.map((s) => s.notifySeconds),
          50,
        )
          .toFixed(1)
          .padStart(8)} s ${Math.max(...mine.map((s) => s.notifySeconds))
          .toFixed(1)
          .padStart(8)} s ${Math.max(...mine.map((s) => s.resolvedSeconds))
          .toFixed(1)
          .padStart(10)} s`,
      );
    }
    const seen = (w: WatchResult) => (w.alerts.length ? `; alerts seen: ${w.alerts.join(", ")}` : "");
    console.log(`clean period (before the faults): ${CLEAN_SECONDS} s, ${m.clean.received.length} notification(s)${seen(m.clean)}`);
    console.log(`after the faults: ${AFTER_SECONDS} s, ${m.afterFaults.received.length} late notification(s)${seen(m.afterFaults)}`);
    console.log(
      `load: ${loadResults.reduce((n, r) => n + r.outcomes.length, 0)} activations, ${loadResults.reduce((n, r) => n + r.failures.length, 0)} failed (faults included)`,
    );
    console.log(
      `render of the monitoring config for 150 customer stacks: ${render150.toFixed(2)} s; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}`,
    );
    console.log(
      JSON.stringify({
        bench: "alerts",
        notify_p50_s: round(percentile(notify, 50)),
        notify_max_s: round(Math.max(...notify)),
        resolved_max_s: round(Math.max(...resolved)),
        false_positives: m.clean.received.length,
        late_after_faults: m.afterFaults.received.length,
        render_150_s: round(render150),
      }),
    );
  } finally {
    await stop();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
