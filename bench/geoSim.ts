/**
 * `npm run sim:geo`: the geo-clustering simulation (docs/geo-clustering.md, sandbox/geo/geoScenario.ts). Two
 * sites and an arbitrator's location as network namespaces, a userspace WAN relay between them, an HA customer
 * spread over both; commit and activation latency at 0, 20 and 50 ms one-way WAN latency (and 20 ms with
 * retransmission stalls), then site b cut off under load. Needs root, iproute2, iptables, mariadb-server,
 * galera-4, galera-arbitrator-4, haproxy. Last line: `{"sim":"geo",…}`.
 */
import * as os from "os";
import { runGeoScenario } from "../sandbox/geo/geoScenario";

async function main(): Promise<void> {
  const log = (l: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
  const r = await runGeoScenario({
    tag: "geo",
    octet: 247,
    relayBasePort: 41000,
    steps: [{ latencyMs: 0 }, { latencyMs: 20 }, { latencyMs: 50 }, { latencyMs: 20, stallPercent: 2, stallMs: 200 }],
    stepLoadMs: 8000,
    commitsPerNode: 30,
    clientsPerSite: 3,
    cut: { site: "b", link: { latencyMs: 20 }, beforeMs: 4000, afterMs: 16_000, restoreAndRejoin: true },
    dns: { ttlMs: 3000, checkIntervalMs: 1000, failuresToWithdraw: 2 },
    ticketsPerStep: 350,
    ticketsForCut: 700,
    log,
  });
  const uptime = os.loadavg().map((x) => x.toFixed(2));
  log(
    `placement: ${Object.entries(r.placement)
      .map(([h, p]) => `${h}@${p.site}`)
      .join(" ")}`,
  );
  log(`startup ${(r.startupMs / 1000).toFixed(1)} s`);
  log("| WAN one way | commit p50/p95 site a | commit p50/p95 site b | activation p50/p95 site a | activation p50/p95 site b | failed |");
  for (const s of r.steps) {
    const wan = `${s.link.latencyMs} ms${s.link.stallPercent ? ` + ${s.link.stallPercent} % × ${s.link.stallMs} ms stalls` : ""}`;
    log(
      `| ${wan} | ${s.commitMs.a.p50} / ${s.commitMs.a.p95} | ${s.commitMs.b.p50} / ${s.commitMs.b.p95} | ${s.activationMs.a.p50} / ${s.activationMs.a.p95} (n ${s.activationMs.a.n}) | ${s.activationMs.b.p50} / ${s.activationMs.b.p95} (n ${s.activationMs.b.n}) | ${s.failedActivations} |`,
    );
  }
  const c = r.cut;
  log(
    `cut of site ${c.site}: ${c.attempts} attempts, ${c.acknowledged} acknowledged, ${c.failedAttempts} failed (${JSON.stringify(c.failedBySite)}), ${c.clientsInterrupted} depots interrupted`,
  );
  log(
    `  served again: ${c.servedAgainMs.map((s) => `depot ${s.client} (${s.home}) ${s.ms ?? "never"} ms via ${s.by ?? "-"}`).join("; ") || "nobody was interrupted"}`,
  );
  log(`  DNS withdrew site ${c.site} after ${c.dnsWithdrawnAfterMs} ms`);
  log(`  survivor: longest write ${c.survivorLongestWriteMs} ms, ${c.survivorWritesFailed} writes failed, ${c.survivorStatus}`);
  log(
    `  cut-off node: ${c.minorityWritesAcknowledgedAfterCut} writes acknowledged after the cut, ${c.minorityWritesRefused} refused (first ${c.minorityFirstRefusalAfterMs} ms after), ${c.minorityStatus}`,
  );
  log(
    `  acknowledged activations lost: ${c.acknowledgedLost} of ${c.acknowledgedChecked}; probe writes the cut-off node acknowledged before the cut and the survivor lacks: ${c.minorityAckedLost} of ${c.minorityAckedBeforeCut}`,
  );
  log(`  rejoin after the link came back: ${c.rejoinMs} ms`);
  log(`load average ${uptime.join(" ")} (1/5/15 min), ${os.cpus().length} CPUs`);
  process.stdout.write(`${JSON.stringify({ sim: "geo", loadavg: uptime, startupMs: r.startupMs, steps: r.steps, cut: c })}\n`);
}

main().catch((e) => {
  process.stderr.write(`sim:geo failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
