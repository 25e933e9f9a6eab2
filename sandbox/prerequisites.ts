/**
 * The programs a sandbox runs, found on this machine or named with the Debian package that brings them.
 */
import * as fs from "fs";
import * as path from "path";

export const GALERA_LIBRARY = "/usr/lib/galera/libgalera_smm.so";

export interface Prerequisite {
  what: string;
  /** An executable name (searched in PATH, /usr/sbin, /usr/bin) or an absolute file. */
  file: string;
  debianPackage: string;
}

export class MissingProgramError extends Error {
  constructor(readonly missing: Prerequisite[]) {
    super(
      `the sandbox needs programs that are not installed: ${missing.map((m) => `${m.what} (${m.file}, Debian package ${m.debianPackage})`).join("; ")}. ` +
        `Install them with: apt-get install -y ${[...new Set(missing.map((m) => m.debianPackage))].join(" ")}`,
    );
    this.name = "MissingProgramError";
  }
}

export function findExecutable(name: string, pathEnv = process.env.PATH ?? ""): string | undefined {
  if (path.isAbsolute(name)) return fs.existsSync(name) ? name : undefined;
  for (const dir of [...pathEnv.split(path.delimiter), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** What a sandbox with these kinds of processes needs. */
export const MYSQLD_EXPORTER_BINARY = "/usr/bin/prometheus-mysqld-exporter";

export function prerequisitesFor(opts: {
  database: boolean;
  galera: boolean;
  entryPoint: boolean;
  sqlJob: boolean;
  databaseExporter?: boolean;
  operations?: boolean;
}): Prerequisite[] {
  const out: Prerequisite[] = [{ what: "OpenSSL (throw-away certificates)", file: "openssl", debianPackage: "openssl" }];
  if (opts.database) {
    out.push({ what: "MariaDB server", file: "mariadbd", debianPackage: "mariadb-server" });
    out.push({ what: "MariaDB data directory setup", file: "mariadb-install-db", debianPackage: "mariadb-server" });
  }
  if (opts.database || opts.sqlJob) out.push({ what: "MariaDB client", file: "mariadb", debianPackage: "mariadb-client" });
  if (opts.galera) {
    out.push({ what: "Galera replication library", file: GALERA_LIBRARY, debianPackage: "galera-4" });
    out.push({ what: "rsync (Galera state transfer)", file: "rsync", debianPackage: "rsync" });
  }
  if (opts.entryPoint) out.push({ what: "HAProxy", file: "haproxy", debianPackage: "haproxy" });
  if (opts.databaseExporter) out.push({ what: "MySQL exporter for Prometheus", file: MYSQLD_EXPORTER_BINARY, debianPackage: "prometheus-mysqld-exporter" });
  if (opts.operations) {
    out.push({ what: "Prometheus", file: "/usr/bin/prometheus", debianPackage: "prometheus" });
    out.push({ what: "Alertmanager", file: "/usr/bin/prometheus-alertmanager", debianPackage: "prometheus-alertmanager" });
    out.push({ what: "blackbox exporter", file: "/usr/bin/prometheus-blackbox-exporter", debianPackage: "prometheus-blackbox-exporter" });
  }
  return out;
}

/** Throws MissingProgramError naming every missing program and its package; returns name -> absolute path. */
export function checkPrerequisites(needed: Prerequisite[], exists: (file: string) => string | undefined = (f) => findExecutable(f)): Map<string, string> {
  const found = new Map<string, string>();
  const missing: Prerequisite[] = [];
  for (const p of needed) {
    const at = exists(p.file);
    if (at) found.set(p.file, at);
    else missing.push(p);
  }
  if (missing.length) throw new MissingProgramError(missing);
  return found;
}
