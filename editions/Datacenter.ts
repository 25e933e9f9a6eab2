import * as pulumi from "@pulumi/pulumi";
import { stackImages } from "../components/StackImages";
import * as random from "@pulumi/random";
import { editionFacts, monthlyQuotas } from "../model/catalog";
import { editionComponentType, otherEditionAliases } from "./editionComponentTypes";
import { CustomerConfig } from "../model/stackConfig";
import { customerNames, tenantDatabaseName } from "../model/naming";
import { LicenseCentralLine } from "../components/LicenseCentralLine";
import { SqlJob } from "../components/SqlJob";
import { schemaOwnerSql } from "../components/render/databaseSql";
import { deployDatacenterOnKubernetes } from "./kubernetes/datacenterOnKubernetes";
import type { SharedServerOutputs } from "./sharedServerOutputs";

export type { SharedServerOutputs } from "./sharedServerOutputs";

export interface DatacenterArgs {
  config: CustomerConfig;
  shared: SharedServerOutputs;
}

/**
 * Datacenter: a tenant on a shared server. Its own License Central on its own network, with CPU and
 * memory limits; its own schema and database user on the shared MariaDB (grants on that schema only);
 * the shared FSB with a token for its own firm only; no web-service access.
 */
export class Datacenter extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly databaseName: string;
  /** Secrets, for the stack outputs `lchost migrate` reads. */
  readonly adminToken: pulumi.Output<string>;
  readonly databasePassword: pulumi.Output<string>;

  constructor(name: string, args: DatacenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(editionComponentType("datacenter"), name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), ...otherEditionAliases("datacenter")] });
    const cfg = args.config;
    if (cfg.edition !== "datacenter") throw new Error(`Datacenter needs lchost:edition 'datacenter', got '${cfg.edition}'`);
    this.databaseName = tenantDatabaseName(cfg.customer);
    this.endpoint = pulumi.interpolate`https://${cfg.customer}.${args.shared.domain}:${args.shared.httpsPort}`;
    if (cfg.platform === "kubernetes") {
      ({ adminToken: this.adminToken, databasePassword: this.databasePassword } = deployDatacenterOnKubernetes(this, cfg, args.shared));
      this.registerOutputs({ endpoint: this.endpoint });
      return;
    }
    const facts = editionFacts("datacenter");
    const names = customerNames(cfg.customer);
    const owner = { "lchost.customer": cfg.customer, "lchost.edition": cfg.edition };
    const o = { parent: this };

    const dbPassword = new random.RandomPassword("db-password", { length: 32, special: false }, o);
    const adminToken = new random.RandomPassword("admin-token", { length: 40, special: false }, o);
    this.adminToken = pulumi.secret(adminToken.result);
    this.databasePassword = pulumi.secret(dbPassword.result);
    const setup = new SqlJob(
      "database-setup",
      {
        hostname: `${names.line(1)}-db-setup`,
        image: args.shared.databaseImage,
        networks: [args.shared.tenantNetwork],
        dbHost: args.shared.databaseHost,
        dbPort: 3306,
        user: args.shared.provisionerUser,
        password: args.shared.provisionerPassword,
        sql: pulumi.secret(dbPassword.result.apply((password) => schemaOwnerSql({ schema: this.databaseName, user: this.databaseName, password }))),
        owner,
      },
      o,
    );
    new LicenseCentralLine(
      "line-1",
      {
        hostname: names.line(1),
        image: stackImages({ licenseCentral: cfg.images.licenseCentral }, o).licenseCentral!,
        networks: [args.shared.tenantNetwork],
        settings: {
          edition: cfg.edition,
          webServices: facts.includes.webServices,
          quotas: monthlyQuotas("datacenter"),
          quotaMode: cfg.quotaMode,
          dbHost: args.shared.databaseHost,
          dbPort: 3306,
          dbName: this.databaseName,
          dbUser: this.databaseName,
          dbPassword: dbPassword.result,
          fsbUrl: args.shared.fsbUrl,
          fsbFirmCode: cfg.customer,
          fsbToken: args.shared.tenantFsbToken,
          adminToken: adminToken.result,
          startInMaintenance: cfg.startInMaintenance,
        },
        memoryMb: facts.resources.memoryMb,
        cpuShares: facts.resources.cpuShares,
        owner,
        databaseProvisioned: setup.succeeded,
      },
      { parent: this, dependsOn: [setup] },
    );
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
