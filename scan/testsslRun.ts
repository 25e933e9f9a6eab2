/**
 * Runs testssl.sh (Debian package `testssl.sh`) against one TLS endpoint and returns its `--jsonfile`
 * entries, or why there are none. Connects to `ip` when given (a sandbox gateway) while sending `host`
 * as SNI, as a client of the published name would.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findExecutable } from "../sandbox/prerequisites";
import { parseTestsslJson, TestsslEntry } from "./testsslSummary";

export interface TlsTarget {
  /** The published name (SNI, certificate name). */
  host: string;
  port: number;
  /** Connect here instead of resolving `host`. */
  ip?: string;
  /** A CA to trust besides the system's (a sandbox's throw-away CA). */
  caFile?: string;
}

export type TestsslOutcome = { entries: TestsslEntry[] } | { problem: string };

export function testsslArgs(t: TlsTarget, jsonFile: string): string[] {
  return [
    // protocols, standard cipher categories, forward secrecy, server defaults (certificate), vulnerabilities;
    // not client simulation, HTTP headers or the per-cipher list, which take minutes and judge nothing here
    "--protocols",
    "--std",
    "--pfs",
    "--server-defaults",
    "--vulnerable",
    "--quiet",
    "--color",
    "0",
    "--warnings",
    "off",
    "--connect-timeout",
    "10",
    "--openssl-timeout",
    "10",
    "--jsonfile",
    jsonFile,
    ...(t.ip ? ["--ip", t.ip] : []),
    ...(t.caFile ? ["--add-ca", t.caFile] : []),
    `${t.host}:${t.port}`,
  ];
}

export async function runTestssl(t: TlsTarget, opts: { timeoutMs?: number } = {}): Promise<TestsslOutcome> {
  const binary = findExecutable("testssl") ?? findExecutable("testssl.sh");
  if (!binary) return { problem: "testssl.sh is not installed (apt-get install -y testssl.sh)" };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-testssl-"));
  const jsonFile = path.join(dir, "result.json");
  try {
    const run = await new Promise<{ code: number | null; stderr: string; timedOut: boolean }>((resolve) => {
      const child = spawn(binary, testsslArgs(t, jsonFile), { stdio: ["ignore", "ignore", "pipe"], detached: true });
      let stderr = "";
      let timedOut = false;
      child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, "SIGKILL"); // testssl forks openssl; its group goes with it
        } catch {
          /* gone */
        }
      }, opts.timeoutMs ?? 600_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, timedOut });
      });
    });
    if (run.timedOut) return { problem: `testssl did not finish within ${(opts.timeoutMs ?? 600_000) / 1000} s` };
    if (!fs.existsSync(jsonFile)) return { problem: `testssl wrote no result (exit ${run.code}): ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}`.trim() };
    return { entries: parseTestsslJson(fs.readFileSync(jsonFile, "utf8")) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
