import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { allowedDowntimeMinutesPerMonth, editionFacts, monthlyQuotas } from "../editions/catalog";
import { CustomerDeploymentArgs } from "../editions/customerDeployment";
import { Datacenter, SharedServerOutputs } from "../editions/Datacenter";
import { DedicatedServer } from "../editions/DedicatedServer";
import { HighAvailabilityPackage } from "../editions/HighAvailabilityPackage";
import { HighPerformance } from "../editions/HighPerformance";
import { SharedServer } from "../editions/SharedServer";
import { customerNames, sharedServerNames } from "../model/naming";
import { CustomerConfig, SharedServerConfig, StackConfig } from "../model/stackConfig";

export interface DeployContext {
  /** The value of a secret lchost: config key (named by another key, e.g. the basic-auth password). */
  secret(key: string): pulumi.Output<string>;
}

/**
 * The whole program for one stack: validated config in, resources and stack outputs out.
 * Database volumes are created here, at the root of the stack and named after the customer only,
 * so changing edition never changes their URN or name (no replacement, no data loss); they are kept
 * when the stack is destroyed.
 */
export function deployStack(cfg: StackConfig, ctx: DeployContext): Record<string, unknown> {
  return cfg.role === "shared-server" ? deploySharedServer(cfg) : deployCustomerStack(cfg, ctx);
}

function databaseVolume(logicalName: string, name: string, owner: string): docker.Volume {
  return new docker.Volume(logicalName, { name, labels: [{ label: "lchost.owner", value: owner }, { label: "lchost.data", value: "database" }] }, { retainOnDelete: true, protect: false });
}

function deploySharedServer(cfg: SharedServerConfig): Record<string, unknown> {
  const names = sharedServerNames(cfg.name);
  const volume = databaseVolume("db-data", names.dbVolume, `shared-${cfg.name}`);
  const shared = new SharedServer(cfg.name, { config: cfg, databaseVolume: volume.name });
  return {
    role: "shared-server",
    name: cfg.name,
    platform: cfg.platform,
    tenants: cfg.tenants,
    endpoint: shared.endpoint,
    domain: cfg.domain,
    httpsPort: cfg.httpsPort,
    databaseHost: shared.databaseHost,
    databasePort: shared.databasePort,
    databaseImage: cfg.images.database,
    databaseVolume: volume.name,
    provisionerUser: shared.provisionerUser,
    provisionerPassword: shared.provisionerPassword,
    fsbUrl: shared.fsbUrl,
    tenantNetworks: shared.tenantNetworks,
    tenantFsbTokens: pulumi.secret(pulumi.output(shared.tenantFsbTokens)),
  };
}

function sharedServerReference(cfg: CustomerConfig): SharedServerOutputs {
  const ref = new pulumi.StackReference("shared-server", { name: cfg.sharedServer! });
  const tenant = cfg.customer;
  const own = (key: string) =>
    ref.requireOutput(key).apply((byTenant: Record<string, string> | undefined) => {
      if (!byTenant || !(tenant in byTenant)) {
        throw new Error(`lchost:sharedServer: tenant '${tenant}' is not listed in lchost:tenants of shared-server stack '${cfg.sharedServer}'`);
      }
      return byTenant[tenant];
    });
  return {
    name: ref.requireOutput("name"),
    databaseHost: ref.requireOutput("databaseHost"),
    databasePort: ref.requireOutput("databasePort"),
    databaseImage: ref.requireOutput("databaseImage"),
    provisionerUser: ref.requireOutput("provisionerUser"),
    provisionerPassword: pulumi.secret(ref.requireOutput("provisionerPassword")),
    fsbUrl: ref.requireOutput("fsbUrl"),
    tenantNetwork: own("tenantNetworks"),
    tenantFsbToken: pulumi.secret(own("tenantFsbTokens")),
    domain: ref.requireOutput("domain"),
    httpsPort: ref.requireOutput("httpsPort"),
  };
}

function deployCustomerStack(cfg: CustomerConfig, ctx: DeployContext): Record<string, unknown> {
  const facts = editionFacts(cfg.edition);
  const summary = {
    customer: cfg.customer,
    edition: cfg.edition,
    editionTitle: facts.title,
    platform: cfg.platform,
    lines: cfg.lines,
    availabilityPercent: facts.availabilityPercent,
    allowedDowntimeMinutesPerMonth: allowedDowntimeMinutesPerMonth(cfg.edition),
    quotas: monthlyQuotas(cfg.edition, cfg.lines),
  };
  if (cfg.edition === "datacenter") {
    const dc = new Datacenter(cfg.customer, { config: cfg, shared: sharedServerReference(cfg) });
    return { ...summary, endpoints: { depot: pulumi.interpolate`${dc.endpoint}/depot/v1` }, databaseName: dc.databaseName };
  }
  const names = customerNames(cfg.customer);
  const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
  const volumes = Array.from({ length: nodes }, (_, i) =>
    databaseVolume(i === 0 ? "db-data" : `db-data-${i + 1}`, names.dbVolume(i + 1), cfg.customer),
  );
  const args: CustomerDeploymentArgs = {
    config: cfg,
    databaseVolumes: volumes.map((v) => v.name),
    sharedFsb: cfg.fsb.mode === "shared" ? { url: cfg.fsb.sharedUrl!, token: ctx.secret(cfg.fsb.tokenKey!) } : undefined,
    secret: ctx.secret,
  };
  const component =
    cfg.edition === "dedicated"
      ? new DedicatedServer(cfg.customer, args)
      : cfg.edition === "high-performance"
        ? new HighPerformance(cfg.customer, args)
        : new HighAvailabilityPackage(cfg.customer, args);
  return {
    ...summary,
    endpoints: {
      depot: pulumi.interpolate`${component.endpoint}/depot/v1`,
      webServices: pulumi.interpolate`${component.endpoint}/ws/v1`,
    },
    databaseVolumes: volumes.map((v) => v.name),
  };
}
