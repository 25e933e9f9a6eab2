/**
 * What a customer's own License Central lines are configured with, and its gateway's basic-auth hash: one place for
 * the three deployments that build them (Docker on one engine, Docker over hosts, Kubernetes), which differ only in
 * where the database, the FSB and the secrets come from.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DB_PORT } from "../components/DatabaseServer";
import { sha512Crypt } from "../components/render/sha512Crypt";
import type { LicenseCentralSettings } from "../components/serviceEnv";
import type { CustomerConfig } from "../model/stackConfig";

export function customerLineSettings(o: {
  cfg: CustomerConfig;
  webServices: boolean;
  names: { schema: string; dbUser: string };
  quotas: LicenseCentralSettings["quotas"];
  dbHost: pulumi.Input<string>;
  dbPassword: pulumi.Input<string>;
  fsbUrl: pulumi.Input<string>;
  fsbToken: pulumi.Input<string>;
  adminToken: pulumi.Input<string>;
  webServiceToken: pulumi.Input<string>;
}): LicenseCentralSettings {
  return {
    edition: o.cfg.edition,
    webServices: o.webServices,
    quotas: o.quotas,
    quotaMode: o.cfg.quotaMode,
    dbHost: o.dbHost,
    dbPort: DB_PORT,
    dbName: o.names.schema,
    dbUser: o.names.dbUser,
    dbPassword: o.dbPassword,
    fsbUrl: o.fsbUrl,
    fsbFirmCode: o.cfg.customer,
    fsbToken: o.fsbToken,
    adminToken: o.adminToken,
    startInMaintenance: o.cfg.startInMaintenance,
    webServiceToken: o.webServices ? o.webServiceToken : undefined,
  };
}

/** The gateway's basic-auth user and SHA-512-crypt hash (salted by a RandomString of the stack), when the stack asks for basic auth. */
export function gatewayBasicAuth(
  cfg: CustomerConfig,
  secret: (key: string) => pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions,
): { username: string; passwordHash: pulumi.Output<string> } | undefined {
  const basic = cfg.connection.basicAuth;
  if (!basic) return undefined;
  const salt = new random.RandomString("basic-auth-salt", { length: 16, special: false }, opts);
  const password = secret(basic.passwordKey);
  return { username: basic.username, passwordHash: pulumi.secret(pulumi.all([password, salt.result]).apply(([pw, s]) => sha512Crypt(pw, s))) };
}
