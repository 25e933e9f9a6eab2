import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadFleet } from "../model/fleet";
import { parseStackConfig, OperationsConfig } from "../model/stackConfig";
import { editionCatalog } from "../model/catalog";
import { renderMonitoringFiles } from "../render/monitoringFiles";
import { renderNotifierRecipients } from "../render/notifier/recipients";
import { scrapeTargets } from "../render/prometheus";
import { writeFleet } from "./fleet";

/**
 * npm run bench:render-monitoring — renders the operations stack's monitoring files (prometheus.yml,
 * rules.yml, blackbox.yml, alertmanager.yml, the notifier's recipients) for a generated fleet of 150
 * customer stacks of mixed editions (bench/fleet.ts; every second customer with notifications), from
 * reading the stack files to the last byte. Last line: one JSON object.
 */
export interface RenderMonitoringFigures {
  customers: number;
  /** Reading and validating every stack file of the directory and building the fleet view. */
  loadSeconds: number;
  /** Rendering every file from the fleet. */
  renderSeconds: number;
  /** Both: what `lchost up` of the operations stack spends on monitoring configuration. */
  totalSeconds: number;
  bytes: Record<string, number>;
  scrapeTargets: number;
}

function exampleOperations(): OperationsConfig {
  return parseStackConfig({
    stackName: "ops-bench",
    source: "bench",
    values: {
      role: "operations",
      operations: { onCall: { email: ["oncall@lchost.example"] }, smtp: { smarthost: "smtp.lchost.example:587", from: "alerts@lchost.example" } },
    },
    secretKeys: new Set(),
    defaultImages: editionCatalog().common.images,
  }) as OperationsConfig;
}

/** Writes a fleet of `customers` stacks to a temporary directory (every second one with notifications). */
export function writeMonitoredFleet(customers = 150): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-monitoring-fleet-"));
  const stacks = writeFleet(dir, customers);
  stacks.forEach((s, i) => {
    if (i % 2 === 1) return;
    const file = path.join(dir, `Pulumi.${s.name}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    doc.config["lchost:notifications"] = {
      email: [`ops@${s.name}.example`],
      webhook: { url: `https://hooks.${s.name}.example/lchost`, secretKey: "notifyWebhookSecret" },
      language: i % 4 === 0 ? "de" : "en",
    };
    doc.config["lchost:notifyWebhookSecret"] = { secure: "v1:c2FsdA==:Y2lwaGVy" };
    fs.writeFileSync(file, YAML.stringify(doc));
  });
  return dir;
}

/** Measures loading a stacks directory and rendering every monitoring file for it (bench:alerts reuses this). */
export function measureRenderMonitoring(stacksDirectory: string): RenderMonitoringFigures {
  const ops = exampleOperations();
  const t0 = performance.now();
  const fleet = loadFleet(stacksDirectory);
  const t1 = performance.now();
  const files: Record<string, string> = {
    ...renderMonitoringFiles(fleet, ops),
    "recipients.json": renderNotifierRecipients(fleet, ops.operations, { customerSecret: () => "x", operationsSecret: () => "x" }),
  };
  const t2 = performance.now();
  return {
    customers: fleet.customers.length,
    loadSeconds: (t1 - t0) / 1000,
    renderSeconds: (t2 - t1) / 1000,
    totalSeconds: (t2 - t0) / 1000,
    bytes: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.byteLength(v)])),
    scrapeTargets: scrapeTargets(fleet).length,
  };
}

function main() {
  const customers = Number(process.env.FLEET_SIZE ?? 150);
  const dir = writeMonitoredFleet(customers);
  try {
    const cold = measureRenderMonitoring(dir);
    const warm = [1, 2, 3].map(() => measureRenderMonitoring(dir).totalSeconds).sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    console.log(
      `customers: ${cold.customers} (stack files in ${dir}); load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    console.log(`first run (cold: catalog, schema compile): load ${r(cold.loadSeconds)} s + render ${r(cold.renderSeconds)} s = ${r(cold.totalSeconds)} s`);
    console.log(`later runs: median ${r(warm[1])} s, max ${r(warm[2])} s`);
    console.log(`scrape targets: ${cold.scrapeTargets}`);
    console.log(
      `files: ${Object.entries(cold.bytes)
        .map(([k, v]) => `${k} ${v} B`)
        .join(", ")}`,
    );
    console.log(JSON.stringify({ bench: "render-monitoring", customers: cold.customers, render_150_s: r(cold.totalSeconds), warm_median_s: r(warm[1]) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
