/**
 * `lchost migrate <stack> --to <edition> --target sandbox`: the migration run for real on the sandbox.
 * The customer's current edition is started as a sandbox (a Datacenter tenant on its shared server's
 * sandbox) with a fresh, empty database, migrated with the same plan/confirmation flow, and the new
 * edition's sandbox keeps running until Ctrl-C like `lchost sandbox` (`--exit`: stopped right after).
 * Everything lives in `.sandbox/m-<stack>/`; the former editions' data stays there until `--cleanup`.
 */
import * as fs from "fs";
import { untilStopSignal } from "./sandbox";
import * as path from "path";
import { packageRoot } from "../../model/packageRoot";
import { StackFile, stackFilePath, stackNameOfReference } from "../../model/stackFile";
import { changeStackFileEdition } from "../../migration/stackFileChange";
import { removeRetained, SandboxTarget } from "../../migration/sandboxTarget";
import { UsageError } from "../errors";

/** Where `--target sandbox` keeps a stack's sandboxes (short: HAProxy socket paths are limited to 97 characters). */
export function sandboxMigrationDir(stackName: string): string {
  return path.join(packageRoot(), ".sandbox", `m-${stackName}`);
}

/** The shared-server stack file a Datacenter side of this migration runs on, if any. */
function sharedStackFileFor(stack: StackFile, to: string | undefined, sharedFlag: string | undefined): string | undefined {
  if (stack.config.role !== "customer") return undefined;
  const after = to
    ? changeStackFileEdition(fs.readFileSync(stack.path, "utf8"), stack.path, { edition: to as never }, { sharedServer: sharedFlag }).stack?.config
    : undefined;
  const ref = sharedFlag ?? stack.config.sharedServer ?? (after?.role === "customer" ? after.sharedServer : undefined);
  if (!ref) return undefined;
  const file = stackFilePath(stackNameOfReference(ref), path.dirname(stack.path));
  if (!fs.existsSync(file)) throw new UsageError(`--target sandbox: the shared-server stack file ${file} is missing (lchost:sharedServer: ${ref})`);
  return file;
}

export async function startSandboxTarget(stack: StackFile, opts: { to?: string; sharedServer?: string; log: (s: string) => void }): Promise<SandboxTarget> {
  const workDir = sandboxMigrationDir(stack.stackName);
  const kept = fs.existsSync(path.join(workDir, "retained.json"))
    ? (JSON.parse(fs.readFileSync(path.join(workDir, "retained.json"), "utf8")) as unknown[])
    : [];
  if (kept.length)
    throw new UsageError(
      `--target sandbox: ${workDir} still holds data of a former run; remove it first: lchost migrate ${stack.stackName} --target sandbox --cleanup --yes`,
    );
  fs.rmSync(workDir, { recursive: true, force: true });
  opts.log(
    `starting ${stack.stackName} (${stack.config.role === "customer" ? stack.config.edition : "?"}) as a sandbox in ${workDir} (fresh, empty database) ...`,
  );
  return SandboxTarget.start({ stackFile: stack.path, sharedStackFile: sharedStackFileFor(stack, opts.to, opts.sharedServer), workDir, log: opts.log });
}

/** `--cleanup --target sandbox`: removes the kept sandbox directories of former editions. */
export async function cleanupSandboxMigration(stackName: string): Promise<string[]> {
  return removeRetained(sandboxMigrationDir(stackName));
}

/** Prints where the customer is reached now and keeps the sandbox up until SIGINT/SIGTERM (or not, with --exit). */
export async function holdSandboxTarget(target: SandboxTarget, exit: boolean, out: (s: string) => void): Promise<void> {
  const e = target.entryInfo();
  out(`the customer's entry: ${e.url} (SNI/Host ${e.host}; CA ${e.caCert}; client certificate ${e.clientCert})`);
  out(`  e.g. curl --cacert ${e.caCert} --resolve ${e.host}:${e.port}:${e.address} https://${e.host}:${e.port}/healthz`);
  out(`the sandbox serving it: ${target.deployments().current.dir} (endpoints and credentials in sandbox.json)`);
  const kept = target.retainedData();
  if (kept.length) out(`kept from former editions until --cleanup: ${kept.join(", ")}`);
  if (!exit) {
    out("Ctrl-C stops everything (--exit stops right after the migration).");
    out(`${await untilStopSignal()}: stopping the sandbox`);
  }
  await target.stop();
  out("stopped; no sandbox process left");
}
