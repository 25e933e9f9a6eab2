import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { allowedDowntimeMinutesPerMonth, editionFacts } from "../model/catalog";
import { linePlan } from "../model/extraLines";
import type { DatabaseKind } from "../model/databaseKind";
import { CustomerDeploymentArgs, StackOnHosts } from "../editions/customerDeployment";
import type { HostInventory } from "../model/hosts";
import { stackHostLayout } from "../model/hostsLayout";
import { Datacenter, SharedServerOutputs } from "../editions/Datacenter";
import { DedicatedServer } from "../editions/DedicatedServer";
import { HighAvailabilityPackage } from "../editions/HighAvailabilityPackage";
import { HighPerformance } from "../editions/HighPerformance";
import { SharedServer } from "../editions/SharedServer";
import { OperationsStack } from "../editions/OperationsStack";
import { loadFleet, resolveStacksDir } from "../model/fleet";
import { packageRoot } from "../model/packageRoot";
import { WEBHOOK_SECRET_MIN_LENGTH } from "../notifier/src/env";
import { customerNames, operationsNames, sharedServerNames, tenantDatabaseName } from "../model/naming";
import { CustomerConfig, OperationsConfig, SharedServerConfig, StackConfig } from "../model/stackConfig";

export interface DeployContext {
  /** The value of a secret lchost: config key (named by another key, e.g. the basic-auth password). */
  secret(key: string): pulumi.Output<string>;
  /** The host inventory the stack's lchost:hosts names are resolved in (fleet/hosts.yaml beside the stacks); absent: inline hosts only. */
  inventory?: HostInventory;
}

/**
 * The whole program for one stack: validated config in, resources and stack outputs out.
 * Database volumes are created here, at the root of the stack and named after the customer only,
 * so changing edition never changes their URN or name (no replacement, no data loss); they are kept
 * when the stack is destroyed.
 */
export function deployStack(cfg: StackConfig, ctx: DeployContext): Record<string, unknown> {
  if (cfg.role === "operations") return deployOperationsStack(cfg, ctx);
  return cfg.role === "shared-server" ? deploySharedServer(cfg) : deployCustomerStack(cfg, ctx);
}

/**
 * The operations stack: what it watches is read from the stack files of lchost:fleet.stacksDir at every
 * run (a stack file added there adds its targets on the next plan or up). Each notified customer's webhook
 * secret comes from that customer's stack (secret output, StackReference), never from this stack's file.
 */
function deployOperationsStack(cfg: OperationsConfig, ctx: DeployContext): Record<string, unknown> {
  const names = operationsNames(cfg.name);
  const fleet = loadFleet(resolveStacksDir(cfg.fleet.stacksDir));
  const volume = (logical: string, name: string, data: string) =>
    new docker.Volume(
      logical,
      {
        name,
        labels: [
          { label: "lchost.operations", value: cfg.name },
          { label: "lchost.data", value: data },
        ],
      },
      { retainOnDelete: true },
    );
  const prometheusVolume = volume("prometheus-data", names.prometheusVolume, "prometheus-tsdb");
  const alertmanagerVolume = volume("alertmanager-data", names.alertmanagerVolume, "alertmanager-silences");
  const portalDatabaseVolume = volume("status-portal-db-data", names.portalDatabaseVolume, "status-portal-database");
  const healDatabaseVolume = volume("heal-db-data", names.healDatabaseVolume, "heal-database");
  // one reference per watched stack: customers, and the shared servers whose entry points tenants are reached at
  const refs = new Map<string, pulumi.StackReference>();
  const reference = (stack: string, kind: "customer" | "shared") => {
    let ref = refs.get(stack);
    if (!ref) refs.set(stack, (ref = new pulumi.StackReference(`${kind}-${stack}`, { name: stack })));
    return ref;
  };
  const customerWebhookSecrets: Record<string, pulumi.Output<string>> = {};
  const entryCertificates: Record<string, pulumi.Output<string>> = {};
  for (const c of fleet.customers) {
    const entryStack = c.sharedServer ?? c.stack;
    entryCertificates[entryStack] = reference(entryStack, c.sharedServer ? "shared" : "customer").requireOutput(
      ENTRY_CERTIFICATE_OUTPUT,
    ) as pulumi.Output<string>;
    if (!c.notifications?.webhook) continue;
    customerWebhookSecrets[c.stack] = pulumi.secret(reference(c.stack, "customer").requireOutput(WEBHOOK_SECRET_OUTPUT)) as pulumi.Output<string>;
  }
  const ops = new OperationsStack(cfg.name, {
    config: cfg,
    fleet,
    prometheusVolume: prometheusVolume.name,
    alertmanagerVolume: alertmanagerVolume.name,
    portalDatabaseVolume: portalDatabaseVolume.name,
    healDatabaseVolume: healDatabaseVolume.name,
    // host paths, bind-mounted: relative ones are relative to the project root like lchost:fleet.stacksDir
    healDirs: { stateDir: path.resolve(packageRoot(), cfg.heal.stateDir), stacksDir: resolveStacksDir(cfg.heal.stacksDir) },
    customerWebhookSecrets,
    entryCertificates,
    secret: ctx.secret,
  });
  return {
    role: "operations",
    name: cfg.name,
    platform: cfg.platform,
    watching: fleet.customers.map((c) => c.customer),
    prometheusUrl: ops.prometheusUrl,
    alertmanagerUrl: ops.alertmanagerUrl,
    intervals: cfg.operations.intervals,
    volumes: [prometheusVolume.name, alertmanagerVolume.name, portalDatabaseVolume.name, healDatabaseVolume.name],
    statusPortalUrl: ops.statusPortalUrl,
    // handed to each customer like its other credentials, and to the team for `lchost incident …`
    [STATUS_PORTAL_PASSWORDS_OUTPUT]: pulumi.secret(ops.portalPasswords),
    [STATUS_PORTAL_ADMIN_TOKEN_OUTPUT]: pulumi.secret(ops.portalAdminToken),
  };
}

function databaseVolume(logicalName: string, name: string, owner: string, provider?: docker.Provider): docker.Volume {
  return new docker.Volume(
    logicalName,
    {
      name,
      labels: [
        { label: "lchost.owner", value: owner },
        { label: "lchost.data", value: "database" },
      ],
    },
    { retainOnDelete: true, protect: false, ...(provider ? { provider } : {}) },
  );
}

function deploySharedServer(cfg: SharedServerConfig): Record<string, unknown> {
  const names = sharedServerNames(cfg.name);
  // on Kubernetes the data lives on the database StatefulSet's retained claims, created with it
  const volume = cfg.platform === "docker" ? databaseVolume("db-data", names.dbVolume, `shared-${cfg.name}`) : undefined;
  const shared = new SharedServer(cfg.name, { config: cfg, databaseVolume: volume?.name ?? "" });
  return {
    role: "shared-server",
    name: cfg.name,
    platform: cfg.platform,
    tenants: cfg.tenants,
    endpoint: shared.endpoint,
    [ENTRY_CERTIFICATE_OUTPUT]: shared.entryCertificate,
    domain: cfg.domain,
    httpsPort: cfg.httpsPort,
    databaseHost: shared.databaseHost,
    databasePort: shared.databasePort,
    databaseImage: cfg.images.database,
    ...(volume ? { databaseVolume: volume.name } : { namespace: names.namespace }),
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

/**
 * What `lchost migrate` needs of a deployed customer stack to reach it through the Docker Engine API of
 * its host (stack output `migration`, plain; the admin token and database password are the separate
 * secret outputs `adminToken` and `databasePassword`).
 */
export interface MigrationOutputs {
  /** The stack's `docker:host` ("" = the local engine's default socket). */
  dockerHost: string;
  databaseKind: DatabaseKind;
  /** Containers holding the customer's data (cluster: every node, node 1 first; Datacenter: the shared server's). */
  databaseContainers: string[];
  databaseSchema: string;
  databaseUser: string;
  /** Where the data lives (`volume:<name>` or `schema:<schema>@<container>`): equal before and after a change = the data stayed in place. */
  databaseLocation: string;
  lineContainers: string[];
  /** The HTTPS entry point (gateway, balancer, or the shared server's entry point). */
  entryContainer: string;
}

function dockerHost(): string {
  return new pulumi.Config("docker").get("host") ?? "";
}

/**
 * The stack output through which the operations stack reads the certificate of the HTTPS entry a customer is
 * reached at (its own gateway, or a tenant's shared server's entry point): the blackbox probe trusts exactly it.
 */
export const ENTRY_CERTIFICATE_OUTPUT = "entryCertificate";

/** The operations stack's secret output: each customer's status-portal password by customer name. */
export const STATUS_PORTAL_PASSWORDS_OUTPUT = "statusPortalPasswords";
/** The operations stack's secret output: the hosting team's bearer token for the portal's admin API. */
export const STATUS_PORTAL_ADMIN_TOKEN_OUTPUT = "statusPortalAdminToken";

/** The stack output through which the operations stack reads a customer's webhook signing secret (a StackReference). */
export const WEBHOOK_SECRET_OUTPUT = "notificationWebhookSecret";

/**
 * A webhook signing secret the notifier will accept (it refuses to start on a shorter one): checked where
 * the value is known, so `pulumi preview` fails naming the key instead of the operations stack's notifier.
 * The value never appears in the message.
 */
export function checkedWebhookSecret(key: string, value: string): string {
  if (value.length < WEBHOOK_SECRET_MIN_LENGTH) {
    throw new Error(
      `lchost:${key}: the webhook signing secret (lchost:notifications.webhook.secretKey) must be at least ${WEBHOOK_SECRET_MIN_LENGTH} characters, it has ${value.length}`,
    );
  }
  return value;
}

/** The customer's webhook signing secret as a secret stack output, when it has a webhook. */
function notificationOutputs(cfg: CustomerConfig, ctx: DeployContext): Record<string, unknown> {
  const webhook = cfg.notifications?.webhook;
  return webhook ? { [WEBHOOK_SECRET_OUTPUT]: pulumi.secret(ctx.secret(webhook.secretKey).apply((v) => checkedWebhookSecret(webhook.secretKey, v))) } : {};
}

function deployCustomerStack(cfg: CustomerConfig, ctx: DeployContext): Record<string, unknown> {
  const facts = editionFacts(cfg.edition);
  const lp = linePlan(cfg, new Date()); // booked + running extra lines; quotas pro rata
  const summary = {
    customer: cfg.customer,
    edition: cfg.edition,
    editionTitle: facts.title,
    platform: cfg.platform,
    lines: lp.total,
    ...(lp.extra ? { bookedLines: lp.booked, extraLines: { count: lp.extra, until: lp.extraUntil!.toISOString() } } : {}),
    availabilityPercent: facts.availabilityPercent,
    allowedDowntimeMinutesPerMonth: allowedDowntimeMinutesPerMonth(cfg.edition),
    quotas: lp.quotas,
  };
  if (cfg.edition === "datacenter") {
    const shared = sharedServerReference(cfg);
    const dc = new Datacenter(cfg.customer, { config: cfg, shared });
    const schema = tenantDatabaseName(cfg.customer);
    const migration: pulumi.Output<MigrationOutputs> = pulumi.all([shared.databaseHost, shared.name]).apply(([db, sharedName]) => ({
      dockerHost: dockerHost(),
      databaseKind: "shared-tenant" as const,
      databaseContainers: [db],
      databaseSchema: schema,
      databaseUser: schema,
      databaseLocation: `schema:${schema}@${db}`,
      lineContainers: [customerNames(cfg.customer).line(1)],
      entryContainer: sharedServerNames(sharedName).entry,
    }));
    return {
      ...summary,
      endpoints: { depot: pulumi.interpolate`${dc.endpoint}/depot/v1` },
      databaseName: dc.databaseName,
      migration,
      adminToken: dc.adminToken,
      databasePassword: dc.databasePassword,
      ...notificationOutputs(cfg, ctx),
    };
  }
  const names = customerNames(cfg.customer, cfg.generation);
  const onDocker = cfg.platform === "docker";
  // High Availability on lchost:hosts: one Docker provider per host, each part on the host placeParts gives it
  const layout = onDocker ? stackHostLayout(cfg, ctx.inventory) : undefined;
  const hosts: StackOnHosts | undefined = layout
    ? {
        layout,
        providers: new Map([...layout.byName.values()].map((h) => [h.name, new docker.Provider(`host-${h.name}`, { host: h.dockerHost })])),
      }
    : undefined;
  const nodes = layout ? layout.placement.databaseNodes.length : facts.database.kind === "cluster" ? facts.database.nodes : 1;
  // on Kubernetes the data lives on the database StatefulSet's retained claims, created with it
  const volumes = onDocker
    ? Array.from({ length: nodes }, (_, i) =>
        databaseVolume(i === 0 ? "db-data" : `db-data-${i + 1}`, names.dbVolume(i + 1), cfg.customer, hosts?.providers.get(layout!.placement.databaseNodes[i])),
      )
    : [];
  const args: CustomerDeploymentArgs = {
    config: cfg,
    databaseVolumes: volumes.map((v) => v.name),
    sharedFsb: cfg.fsb.mode === "shared" ? { url: cfg.fsb.sharedUrl!, token: ctx.secret(cfg.fsb.tokenKey!) } : undefined,
    secret: ctx.secret,
    ...(hosts ? { hosts } : {}),
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
    ...(onDocker ? dockerOutputs() : { namespace: names.network, databaseHosts: component.deployment.databaseHosts }),
    ...(component.deployment.onHosts ? { hosts: component.deployment.onHosts.placement, hostFirewall: component.deployment.onHosts.hostFirewall } : {}),
    [ENTRY_CERTIFICATE_OUTPUT]: component.deployment.entryCertificate,
    adminToken: component.deployment.adminToken,
    databasePassword: component.deployment.databasePassword,
    ...notificationOutputs(cfg, ctx),
  };

  function dockerOutputs(): Record<string, unknown> {
    // `lchost migrate` reaches a stack through ONE engine (migration.dockerHost); a stack spread over hosts has one
    // per host, so it gets no `migration` output and migrate refuses it (docs/hosts.md, HA across hosts: limits)
    if (hosts) return { databaseVolumes: volumes.map((v) => v.name) };
    return {
      databaseVolumes: volumes.map((v) => v.name),
      migration: {
        dockerHost: dockerHost(),
        databaseKind: facts.database.kind,
        databaseContainers: Array.from({ length: nodes }, (_, i) => names.dbHost(i + 1)),
        databaseSchema: names.schema,
        databaseUser: names.dbUser,
        databaseLocation: `volume:${names.dbVolume(1)}`,
        lineContainers: component.deployment.lineHosts,
        entryContainer: names.gateway,
      } satisfies MigrationOutputs,
    };
  }
}
