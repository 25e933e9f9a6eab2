import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { LC_ENV } from "../../license-central/src/env";
import { tenantDatabaseName } from "../../model/naming";
import { customerOf, editionOf, envMap, roleOf, uploadsEndingWith } from "../support/containerFacts";
import { sharedServerEditions } from "../support/editionFacts";

/** "`lc\_acme`.*" -> "lc_acme" (a GRANT's schema is a pattern, `\_` a literal '_'); "*.*" -> "*". */
function schemaOfTarget(target: string): string {
  return target
    .split(".")[0]
    .replace(/`/g, "")
    .replace(/\\([_%\\])/g, "$1");
}

/** Problems in the SQL a tenant's SqlJob runs on the shared MariaDB (components/render/databaseSql.ts). */
export function tenantSqlProblems(sql: string, schema: string): string[] {
  const problems: string[] = [];
  const statements = sql
    .split(";")
    .map((s) => s.trim().replace(/\s+/g, " "))
    .filter(Boolean);
  for (const st of statements) {
    const grant = /^GRANT (.+?) ON (\S+) TO '([^']+)'@'[^']*'(.*)$/i.exec(st);
    if (grant) {
      const [, , target, user, rest] = grant;
      if (schemaOfTarget(target) !== schema) problems.push(`grants on ${target} (allowed: \`${schema}\`.* only): ${st}`);
      if (user !== schema) problems.push(`grants to user '${user}' (allowed: '${schema}'): ${st}`);
      if (/WITH GRANT OPTION/i.test(rest)) problems.push(`passes on its grants (WITH GRANT OPTION): ${st}`);
      continue;
    }
    const create = /^CREATE DATABASE (?:IF NOT EXISTS )?`?([^`\s]+)`?/i.exec(st);
    if (create && create[1] !== schema) problems.push(`creates database '${create[1]}' (allowed: '${schema}')`);
    const user = /^(?:CREATE|ALTER|DROP) USER (?:IF (?:NOT )?EXISTS )?'([^']+)'/i.exec(st);
    if (user && user[1] !== schema) problems.push(`manages user '${user[1]}' (allowed: '${schema}')`);
    if (/^DROP DATABASE/i.test(st)) problems.push(`drops a database: ${st}`);
  }
  if (!statements.some((s) => /^GRANT /i.test(s))) problems.push(`grants nothing on \`${schema}\`.*`);
  return problems;
}

/**
 * A tenant's database user is granted on its own schema only, and both are named after the tenant
 * (lc_<customer>), so no two tenants of a shared server share a database or a user.
 */
export const tenantDatabaseOwnSchema: ResourceValidationPolicy = {
  name: "tenant-database-own-schema",
  description: "A shared-server tenant's database user is its own (lc_<customer>) and granted on its own schema only.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
    if (!sharedServerEditions().has(editionOf(container) ?? "")) return;
    const customer = customerOf(container);
    if (!customer) return;
    const schema = tenantDatabaseName(customer);
    const role = roleOf(container);
    if (role === "sql-job") {
      const files = uploadsEndingWith(container, ".sql");
      if (files.length === 0) reportViolation(`the database setup job of tenant '${customer}' uploads no .sql file to inspect`);
      for (const f of files) {
        for (const p of tenantSqlProblems(f.content, schema)) reportViolation(`${f.file} of tenant '${customer}' ${p}`);
      }
    }
    if (role === "license-central") {
      const env = envMap(container);
      for (const key of [LC_ENV.dbName, LC_ENV.dbUser]) {
        if (env.get(key) !== schema) reportViolation(`License Central of tenant '${customer}' sets ${key}=${env.get(key) ?? "(unset)"}; allowed: ${schema}`);
      }
    }
  }),
};
