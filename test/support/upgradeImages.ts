/**
 * The License Central images the rolling-upgrade proofs roll out, made from the CI image without touching
 * its `:dev` tag: a second good tag, and a broken one that starts, reports ready, and answers every
 * /depot/ request with 500 (a preload script), so only the upgrade's verification can catch it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const BASE_IMAGE = "lchost/license-central:dev";

const BROKEN_PRELOAD = `// answers 500 to every activation request, everything else (readiness, admin API) stays as it is
const http = require("http");
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === "request" && String(req.url).startsWith("/depot/")) {
    res.statusCode = 500;
    res.setHeader("content-type", "application/json");
    res.end('{"error":"broken on purpose (lchost upgrade test image)"}');
    return true;
  }
  return emit.apply(this, arguments);
};
`;

export function tagGoodImage(tag: string): void {
  execFileSync("docker", ["tag", BASE_IMAGE, tag], { stdio: "ignore" });
}

export function buildBrokenImage(tag: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-broken-lc-"));
  try {
    fs.writeFileSync(path.join(dir, "broken.js"), BROKEN_PRELOAD);
    fs.writeFileSync(
      path.join(dir, "Dockerfile"),
      `FROM ${BASE_IMAGE}\nCOPY broken.js /app/broken-on-purpose.js\nENV NODE_OPTIONS=--require=/app/broken-on-purpose.js\n`,
    );
    execFileSync("docker", ["build", "-q", "-t", tag, dir], { stdio: "ignore", timeout: 120_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function removeImages(tags: string[]): void {
  for (const t of tags) {
    try {
      execFileSync("docker", ["rmi", t], { stdio: "ignore" });
    } catch {
      /* not there */
    }
  }
}
