/** Writes the files of a sandbox layout: each process's directory and files, with their modes and owners. */
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
    fs.mkdirSync(p.dir, { recursive: true, mode: p.role === "database" ? 0o711 : 0o700 });
    if (p.adminSocket) fs.mkdirSync(path.dirname(p.adminSocket), { recursive: true, mode: 0o700 });
    for (const f of p.files) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o711 });
      fs.writeFileSync(f.path, f.content, { mode: f.mode });
      fs.chmodSync(f.path, f.mode);
      if (f.owner === "mysql") fs.chownSync(f.path, mysqlIds().uid, mysqlIds().gid);
    }
  }
}

/** A fresh, empty sandbox directory (database nodes run as mysql and must reach their own directory). */
export function freshSandboxDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
}
