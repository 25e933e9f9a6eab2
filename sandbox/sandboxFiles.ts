/**
 * A sandbox's files on disk. Nothing in it is for other users: the sandbox directory is 0711 (a database
 * node runs as mysql and must reach its own directory), everything below it is 0700 (a database node's
 * directory owned by mysql), logs are 0600 in `<dir>/logs`, keys, certificates and secrets 0600.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { SandboxLayout } from "./sandboxLayout";

export function writeSandboxFiles(layout: Pick<SandboxLayout, "processes">): void {
  let mysql: { uid: number; gid: number } | undefined;
  const mysqlIds = () => {
    if (!mysql) {
      const uid = Number(execFileSync("id", ["-u", "mysql"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "mysql"], { encoding: "utf8" }).trim());
      mysql = { uid, gid };
    }
    return mysql;
  };
  for (const p of layout.processes) {
    fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(p.dir, 0o700);
    if (p.role === "database") fs.chownSync(p.dir, mysqlIds().uid, mysqlIds().gid);
    if (p.adminSocket) fs.mkdirSync(path.dirname(p.adminSocket), { recursive: true, mode: 0o700 });
    for (const f of p.files) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o711 });
      fs.writeFileSync(f.path, f.content, { mode: f.mode });
      fs.chmodSync(f.path, f.mode);
      if (f.owner === "mysql") fs.chownSync(f.path, mysqlIds().uid, mysqlIds().gid);
    }
  }
}

/** Where the processes' output goes: `<dir>/logs` (0700), one `<name>.log` (0600) each. */
export function sandboxLogDir(dir: string): string {
  return path.join(dir, "logs");
}

/** A fresh, empty sandbox directory (database nodes run as mysql and must reach their own directory) with its log directory. */
export function freshSandboxDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
  fs.mkdirSync(sandboxLogDir(dir), { mode: 0o700 });
}
