/**
 * SQL that gives an application its own schema and user, with grants on that schema only: a Datacenter
 * tenant on the shared MariaDB, or License Central on a dedicated server. Idempotent: running it again
 * (every database start, every deployment) changes nothing but the password.
 */
const identifier = /^[a-z][a-z0-9_]{0,63}$/;

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
    `GRANT ALL PRIVILEGES ON \`${opts.schema}\`.* TO '${opts.user}'@'%';`,
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
