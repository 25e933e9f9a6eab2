import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Fleet, fleetOf, loadFleet } from "../../../model/fleet";
import { OperationsConfig } from "../../../model/stackConfig";
import { stacksDir } from "../../../model/stackFile";
import { parse, stackFile } from "../../unit/stackFixtures";

/** Runs a monitoring tool with a timeout; resolves with its exit code and output (never throws on a non-zero exit). */
export function runTool(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as any).code === "ENOENT") {
        reject(new Error(`${cmd} is not installed: apt-get install -y prometheus prometheus-alertmanager prometheus-blackbox-exporter`));
        return;
      }
      resolve({ code: err ? (typeof (err as any).code === "number" ? (err as any).code : -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The example operations stack (as stacks/Pulumi.ops-dc1.yaml would say it). */
export function operationsExample(): OperationsConfig {
  return parse(
    {
      role: "operations",
      domain: "dc1.lchost.local",
      operations: {
        onCall: { email: ["oncall@lchost.example"], webhook: { url: "https://oncall.lchost.example/hook", secretKey: "onCallWebhookSecret" } },
        smtp: { smarthost: "smtp.lchost.example:587", from: "alerts@lchost.example" },
      },
      onCallWebhookSecret: { secure: "v1:x" },
    },
    "ops-dc1",
  ) as OperationsConfig;
}

/** The fleet of stacks/ (the repository's example stacks). */
export function exampleFleet(): Fleet {
  return loadFleet(stacksDir());
}

/** A fleet with notifications configured: wayne (HA, webhook + email, severity critical), hooli (HP, email, en), acme (tenant, webhook). */
export function notifiedFleet(): Fleet {
  const secret = { secure: "v1:s" };
  return fleetOf([
    stackFile("shared-dc1", { role: "shared-server", tenants: ["acme"], domain: "dc1.lchost.local" }),
    stackFile("acme", {
      customer: "acme",
      edition: "datacenter",
      sharedServer: "shared-dc1",
      notifications: { webhook: { url: "https://hooks.acme.example/lchost", secretKey: "hook" } },
      hook: secret,
    }),
    stackFile("hooli", {
      customer: "hooli",
      edition: "high-performance",
      connection: { ipAllowList: ["203.0.113.0/24"] },
      notifications: { email: ["it@hooli.example"], language: "en" },
    }),
    stackFile("wayne", {
      customer: "wayne",
      edition: "high-availability",
      lines: 3,
      connection: { ipAllowList: ["192.0.2.0/24"] },
      notifications: { email: ["ops@wayne.example"], webhook: { url: "https://hooks.wayne.example/lchost", secretKey: "hook" }, severity: "critical" },
      hook: secret,
    }),
  ]);
}
