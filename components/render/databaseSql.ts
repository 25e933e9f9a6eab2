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
