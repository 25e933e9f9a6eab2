/**
 * npm run chaos [-- --minutes N] [-- --seed S] — a chaos soak of a High Availability customer on 3 hosts (the
 * sandbox's hosts: each host a network namespace, the balancer pair holding the VIP, 3 lines with their FSBs, a
 * 3-node Galera cluster; sandbox/hosts/). A client in its own namespace activates tickets through the VIP for the
 * whole run (each request its own idempotency key, retried once with the same key on failure), while every 20–40 s
 * one random fault comes (sandbox/hosts/chaosSchedule.ts: a line, an FSB, a Galera node killed with SIGKILL, HAProxy
 * on the balancer node holding the VIP killed, or a whole host — link down, every process SIGKILLed), each restored
 * after 8–15 s. At the end License Central's database is asked: acknowledged activations not stored (lost), tickets
 * activated twice (double). Availability = requests acknowledged (after the one retry) / requests.
 * Targets: 0 lost, 0 double, availability ≥ 99.9 %. Prints each fault as it happens; the last line is JSON.
 * Own resources only (namespaces nsc-*, bridge nscbr, 10.245.4.0/24); real processes: run it under both locks.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTickets } from "../sandbox/activationLoad";
import { chaosSchedule, Fault } from "../sandbox/hosts/chaosSchedule";
import { HostsSandbox } from "../sandbox/hosts/hostsSandbox";
import { RequestOutcome, summarize } from "../sandbox/hosts/vipClient";
import { hostsStackText } from "./hostsFixtures";

const CUSTOMER = "nsc";
const TARGET_AVAILABILITY = 0.999;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function parseChaosArgs(argv: string[]): { minutes: number; seed: number } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const minutes = Number(value("--minutes") ?? 10);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 120) throw new Error(`--minutes: ${value("--minutes")} is not 1 to 120`);
  const seedText = value("--seed");
  const seed = seedText === undefined ? Date.now() % 1_000_000 : Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: ${seedText} is not a non-negative integer`);
  return { minutes, seed };
}

interface FaultRecord extends Fault {
  /** The host or process actually hit (the balancer node: the one that held the VIP). */
  hit: string;
  killedAt: number;
  /** ms the restore took (until the part was ready again); null when it failed. */
  restoreMs: number | null;
  restoreError?: string;
  /** Requests whose first attempt failed between the kill and 10 s after the restore. */
  firstAttemptsFailed: number;
  failed: number;
}

async function applyFault(hs: HostsSandbox, f: Fault): Promise<{ hit: string; restore: () => Promise<void> }> {
  switch (f.kind) {
    case "line":
    case "fsb":
    case "galera-node":
      hs.killPart(f.target);
      return { hit: f.target, restore: () => hs.restorePart(f.target) };
    case "balancer-node": {
      const active = hs.holders()[0];
      if (!active) throw new Error("no balancer node holds the VIP");
      hs.killHaproxy(active);
      return { hit: `haproxy on ${active}`, restore: () => hs.startHaproxy(active) };
    }
    case "host":
      hs.killHost(f.target);
      return { hit: f.target, restore: () => hs.restoreHost(f.target) };
  }
}

async function main(): Promise<void> {
  const { minutes, seed } = parseChaosArgs(process.argv.slice(2));
  const started = Date.now();
  const durationMs = minutes * 60_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nsc-"));
  const stackFile = path.join(dir, `Pulumi.${CUSTOMER}.yaml`);
  fs.writeFileSync(stackFile, hostsStackText({ customer: CUSTOMER, lines: 3, hosts: 3, subnet: 4, signLatencyMs: 20 }));
  const hs = await HostsSandbox.start({ stackFile, tag: "nsc", name: `nsc-${process.pid}`, removeOnStop: true, serviceLogLevel: "warn", log: console.log });
  const stop = async () => {
    await hs.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    const setupS = (Date.now() - started) / 1000;
    const ep = hs.sb.endpoints[CUSTOMER];
    const tickets = await createTickets(hs.sb, CUSTOMER, Math.ceil(minutes * 60 * 16), `nsc-${process.pid}`, 12);
    const faults = chaosSchedule({
      durationMs,
      seed,
      targets: { lines: ep.lines.map((l) => l.process), fsbs: ep.fsbs.map((f) => f.process), galeraNodes: hs.databaseNodes(), hosts: hs.hosts() },
    });
    console.log(`chaos: ${minutes} min, seed ${seed}, ${faults.length} faults; sandbox up in ${setupS.toFixed(1)} s, ${tickets.length} tickets`);
    const client = hs.startClient({ tickets, concurrency: 2, durationMs, timeoutMs: 10_000, retryAfterMs: 2000, pauseMs: 100 });
    const t0 = Date.now();
    const records: FaultRecord[] = [];
    for (const f of faults) {
      const wait = t0 + f.at - Date.now();
      if (wait > 0) await sleep(wait);
      const killedAt = Date.now();
      let rec: FaultRecord;
      try {
        const { hit, restore } = await applyFault(hs, f);
        rec = { ...f, hit, killedAt, restoreMs: null, firstAttemptsFailed: 0, failed: 0 };
        await sleep(f.restoreAfterMs);
        const r0 = Date.now();
        try {
          await restore();
          rec.restoreMs = Date.now() - r0;
        } catch (e) {
          rec.restoreError = (e as Error).message.split("\n")[0];
        }
      } catch (e) {
        rec = { ...f, hit: "(none)", killedAt, restoreMs: null, restoreError: `fault not applied: ${(e as Error).message}`, firstAttemptsFailed: 0, failed: 0 };
      }
      records.push(rec);
      console.log(
        `${((killedAt - t0) / 1000).toFixed(0).padStart(4)} s  ${f.kind.padEnd(13)} ${rec.hit.padEnd(22)} down ${(f.restoreAfterMs / 1000).toFixed(1)} s, ` +
          (rec.restoreMs !== null ? `restored in ${(rec.restoreMs / 1000).toFixed(1)} s` : `NOT restored: ${rec.restoreError}`) +
          `; so far ${client.outcomes.length} requests, ${client.outcomes.filter((o) => !o.acknowledged).length} failed`,
      );
    }
    const outcomes: RequestOutcome[] = await client.done;
    for (const r of records) {
      const end = r.killedAt + r.restoreAfterMs + (r.restoreMs ?? 0) + 10_000;
      const during = outcomes.filter((o) => o.attempts[0].startedAt >= r.killedAt - 5000 && o.attempts[0].startedAt <= end);
      r.firstAttemptsFailed = during.filter((o) => o.attempts[0].status !== 201).length;
      r.failed = during.filter((o) => !o.acknowledged).length;
    }
    const s = summarize(outcomes);
    const check = hs.checkActivations(
      outcomes.filter((o) => o.acknowledged),
      outcomes.map((o) => o.ticket),
    );
    const failures = outcomes.filter((o) => !o.acknowledged).slice(0, 10);
    for (const f of failures)
      console.log(
        `failed: at ${((f.attempts[0].startedAt - t0) / 1000).toFixed(1)} s: ${f.attempts.map((a) => `${a.status}${a.error ? ` ${a.error}` : ""}`).join(" / ")}`,
      );
    const result = {
      bench: "chaos",
      minutes,
      seed,
      faults: records.map((r) => ({
        atS: round((r.killedAt - t0) / 1000, 1),
        kind: r.kind,
        hit: r.hit,
        downS: round(r.restoreAfterMs / 1000, 1),
        restoreS: r.restoreMs === null ? null : round(r.restoreMs / 1000, 1),
        ...(r.restoreError ? { restoreError: r.restoreError } : {}),
        firstAttemptsFailed: r.firstAttemptsFailed,
        failed: r.failed,
      })),
      requests: s.requests,
      acknowledged: s.acknowledged,
      fixedByRetry: s.fixedByRetry,
      failed: s.failed,
      firstAttemptsFailed: s.firstAttemptsFailed,
      availability: round(s.availability * 100, 3),
      firstAttemptAvailability: round(s.firstAttemptAvailability * 100, 3),
      acknowledgedLost: check.lost,
      doubleActivations: check.double,
      ticketsLeft: tickets.length - s.requests,
      targets: { availabilityPercentAtLeast: TARGET_AVAILABILITY * 100, acknowledgedLost: 0, doubleActivations: 0 },
      met: check.lost === 0 && check.double === 0 && s.availability >= TARGET_AVAILABILITY && records.every((r) => r.restoreMs !== null),
      seconds: round((Date.now() - started) / 1000, 1),
    };
    await stop();
    console.log(JSON.stringify(result));
    if (!result.met) process.exitCode = 1;
  } catch (e) {
    await stop();
    throw e;
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`chaos failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  });
}
