/**
 * SQL that gives an application its own schema and user, with grants on that schema only: a Datacenter
 * tenant on the shared MariaDB, or License Central on a dedicated server. Idempotent: running it again
 * (every database start, every deployment) changes nothing but the password.
 */
const identifier = /^[a-z][a-z0-9_]{0,63}$/;

/** The schema as a GRANT pattern naming exactly it (identifiers here hold only [a-z0-9_]). */
export function grantPattern(schema: string): string {
  return schema.replace(/_/g, "\\_");
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

export function schemaOwnerSql(opts: { schema: string; user: string; password: string }): string {
  if (!identifier.test(opts.schema)) throw new Error(`schema '${opts.schema}' must match ${identifier}`);
  if (!identifier.test(opts.user)) throw new Error(`user '${opts.user}' must match ${identifier}`);
  const pw = quoteLiteral(opts.password);
  return [
    `CREATE DATABASE IF NOT EXISTS \`${opts.schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    `CREATE USER IF NOT EXISTS '${opts.user}'@'%' IDENTIFIED BY ${pw};`,
    `ALTER USER '${opts.user}'@'%' IDENTIFIED BY ${pw};`,
    `REVOKE ALL PRIVILEGES, GRANT OPTION FROM '${opts.user}'@'%';`,
    // A GRANT's schema name is a LIKE pattern: '_' must be escaped to name exactly this schema (unescaped,
    // `lc_acme` also matches `lcXacme`, and a provisioner granted on `lc\_%` may not grant on that wider pattern).
    `GRANT ALL PRIVILEGES ON \`${grantPattern(opts.schema)}\`.* TO '${opts.user}'@'%';`,
    "",
  ].join("\n");
}

/**
 * The shared server's provisioning account: it may create tenant schemas (lc_*) and users and grant
 * on those schemas, nothing else — tenant stacks use it instead of the root password.
 */
export function provisionerAccountSql(opts: { user: string; password: string }): string {
  if (!identifier.test(opts.user)) throw new Error(`provisioner user '${opts.user}' must match ${identifier}`);
  const pw = quoteLiteral(opts.password);
  return [
    `CREATE USER IF NOT EXISTS '${opts.user}'@'%' IDENTIFIED BY ${pw};`,
    `ALTER USER '${opts.user}'@'%' IDENTIFIED BY ${pw};`,
    `GRANT CREATE USER ON *.* TO '${opts.user}'@'%';`,
    `GRANT ALL PRIVILEGES ON \`lc\\_%\`.* TO '${opts.user}'@'%' WITH GRANT OPTION;`,
    "",
  ].join("\n");
}

/** The account prometheus-mysqld-exporter logs in with, on every database node (the ops stack's `mysqld` job). */
export const MONITOR_USER = "lchost_monitor";

/**
 * The monitoring account: server status, Galera state and performance_schema, no data (PROCESS and
 * REPLICATION CLIENT are global privileges; SELECT on performance_schema only). A few connections at most,
 * so a stuck exporter cannot take the application's. Idempotent like the rest of the init SQL.
 */
export function monitorUserSql(opts: { password: string; user?: string }): string {
  const user = opts.user ?? MONITOR_USER;
  if (!identifier.test(user)) throw new Error(`monitor user '${user}' must match ${identifier}`);
  const pw = quoteLiteral(opts.password);
  return [
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY ${pw} WITH MAX_USER_CONNECTIONS 3;`,
    `ALTER USER '${user}'@'%' IDENTIFIED BY ${pw} WITH MAX_USER_CONNECTIONS 3;`,
    `REVOKE ALL PRIVILEGES, GRANT OPTION FROM '${user}'@'%';`,
    `GRANT PROCESS, REPLICATION CLIENT ON *.* TO '${user}'@'%';`,
    `GRANT SELECT ON performance_schema.* TO '${user}'@'%';`,
    "",
  ].join("\n");
}
