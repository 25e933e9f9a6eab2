import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { dockerEnvs, LC_HEALTH, LC_PORT, licenseCentralEnv, LicenseCentralSettings, httpHealthCommand } from "./serviceEnv";

export interface LicenseCentralLineArgs {
  hostname: string;
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  settings: LicenseCentralSettings;
  memoryMb: number;
  cpuShares: number;
  owner: Record<string, string>;
  /** An output the line must wait for, e.g. the tenant's database setup job's verdict (recorded as a label). */
  databaseProvisioned?: pulumi.Input<string>;
  /** A line of a stack spread over hosts: its port published on its host's address, where the balancers reach it. */
  publish?: { ip: string; port: number };
}

/** One License Central instance (a "line"): stateless, behind the gateway or balancer, never published. */
export class LicenseCentralLine extends pulumi.ComponentResource {
  readonly host: string;
  readonly container: docker.Container;

  constructor(name: string, args: LicenseCentralLineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:LicenseCentralLine", name, {}, opts);
    this.host = args.hostname;
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        envs: dockerEnvs(licenseCentralEnv(args.settings)),
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        ...(args.publish ? { ports: [{ internal: LC_PORT, external: args.publish.port, ip: args.publish.ip }] } : {}),
        restart: RESTART_POLICY,
        healthcheck: healthcheck(httpHealthCommand(LC_HEALTH.port, LC_HEALTH.path)),
        ...waitUntilHealthy(),
        memory: args.memoryMb,
        cpuShares: args.cpuShares,
        labels: [
          ...labels({ ...args.owner, "lchost.role": "license-central" }),
          ...(args.databaseProvisioned !== undefined ? [{ label: "lchost.database-provisioned", value: args.databaseProvisioned }] : []),
        ],
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["envs"] },
    );
    this.registerOutputs({ host: this.host });
  }
}
