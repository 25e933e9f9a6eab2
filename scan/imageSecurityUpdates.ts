/**
 * Which Debian (or Ubuntu) packages of an image have security updates pending: inside a throw-away
 * container of the image (`docker run --rm --pull never`, as root, the image's entrypoint bypassed),
 * `apt-get update` then `apt-get -s upgrade` (with the distribution's security suite added), whose
 * `Inst` lines from a security suite are parsed.
 */
import { spawn } from "child_process";
import { parseAptSimulation, PendingSecurityUpdate } from "./aptUpgradeSimulation";

export type ImageScanOutcome = { updates: PendingSecurityUpdate[] } | { problem: string };

export const NO_APT = "LCHOST_SCAN_NO_APT";
export const UPDATE_FAILED = "LCHOST_SCAN_APT_UPDATE_FAILED";

/**
 * The image's own sources plus its distribution's security suite (a debootstrapped image lists only
 * the release itself, and would otherwise report "nothing pending"), read into a throw-away list.
 */
const SCRIPT = [
  `command -v apt-get >/dev/null 2>&1 || { echo ${NO_APT}; exit 0; }`,
  ". /etc/os-release 2>/dev/null",
  'case "$ID" in',
  '  debian) SEC="deb http://deb.debian.org/debian-security ${VERSION_CODENAME}-security main" ;;',
  '  ubuntu) SEC="deb http://security.ubuntu.com/ubuntu ${VERSION_CODENAME}-security main universe" ;;',
  '  *) SEC="" ;;',
  "esac",
  "L=/tmp/lchost-scan-sources.list",
  'cat /etc/apt/sources.list > "$L" 2>/dev/null; [ -n "$SEC" ] && echo "$SEC" >> "$L"',
  `apt-get update -qq -o Dir::Etc::SourceList="$L" -o Acquire::Retries=1 -o APT::Update::Error-Mode=any >/dev/null 2>&1 || echo ${UPDATE_FAILED}`,
  'apt-get -s -o Dir::Etc::SourceList="$L" -o Debug::NoLocking=1 upgrade',
].join("\n");

export function dockerRunArgs(image: string): string[] {
  return ["run", "--rm", "--pull", "never", "--user", "0", "--entrypoint", "sh", image, "-c", SCRIPT];
}

/** What the container printed, read as an outcome (pure). */
export function imageScanOutcome(r: { code: number | null; stdout: string; stderr: string }): ImageScanOutcome {
  const lines = r.stderr.trim().split("\n").filter(Boolean);
  // docker's own message ("docker: Error response from daemon: No such image: …"), not its --help hint
  const why = lines.find((l) => /error|cannot|denied|timed out/i.test(l)) ?? lines[lines.length - 1] ?? "no message";
  if (r.code !== 0) return { problem: `docker run failed (exit ${r.code}): ${why}` };
  if (r.stdout.includes(NO_APT)) return { problem: "the image has no apt-get: its packages cannot be checked" };
  if (r.stdout.includes(UPDATE_FAILED))
    return { problem: "apt-get update failed inside the image (no route to its package mirrors?): pending updates unknown" };
  return { updates: parseAptSimulation(r.stdout) };
}

export async function pendingSecurityUpdates(image: string, opts: { timeoutMs?: number; docker?: string } = {}): Promise<ImageScanOutcome> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(opts.docker ?? "docker", dockerRunArgs(image), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      stderr += `\ntimed out after ${timeoutMs / 1000} s`;
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${e.message} (is docker installed? apt-get install -y docker.io)` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return imageScanOutcome(r);
}
