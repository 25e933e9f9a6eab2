/**
 * prometheus-mysqld-exporter (Debian's, 0.14): its my.cnf and command line. Pure: the Docker component
 * uploads and runs exactly this, and the sandbox runs the same command line with paths and host rewritten.
 */
import { MONITORING_PORTS } from "../../model/naming";

export const MYSQLD_EXPORTER_PORT = MONITORING_PORTS.mysqldExporter;
export const MYSQLD_EXPORTER_BINARY = "/usr/bin/prometheus-mysqld-exporter";
export const MYSQLD_EXPORTER_CONFIG = "/etc/lchost/mysqld-exporter/my.cnf";

const hostPattern = /^[A-Za-z0-9.-]{1,253}$/;
const credentialPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** The `[client]` section the exporter logs in with (a secret: it holds the monitoring password). */
export function renderMysqldExporterMyCnf(c: { host: string; port: number; user: string; password: string }): string {
  if (!hostPattern.test(c.host)) throw new Error(`mysqld-exporter host '${c.host}' may only hold letters, digits, '.', '-'`);
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error(`mysqld-exporter port must be 1-65535, got ${c.port}`);
  if (!credentialPattern.test(c.user)) throw new Error(`mysqld-exporter user '${c.user}' may only hold letters, digits, '.', '_', '-'`);
  // my.cnf has no quoting that every reader agrees on: the generated password is alphanumeric anyway
  if (!credentialPattern.test(c.password)) throw new Error("mysqld-exporter password may only hold letters, digits, '.', '_', '-' (1-128 characters)");
  return ["[client]", `user=${c.user}`, `password=${c.password}`, `host=${c.host}`, `port=${c.port}`, ""].join("\n");
}

/** The exporter's arguments (after the binary): where its my.cnf is and where it listens. */
export function mysqldExporterArgs(opts: { configPath: string; listenAddress: string; port?: number }): string[] {
  return [`--config.my-cnf=${opts.configPath}`, `--web.listen-address=${opts.listenAddress}:${opts.port ?? MYSQLD_EXPORTER_PORT}`];
}
