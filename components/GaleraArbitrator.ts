import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { GALERA_PORTS } from "./DatabaseServer";

export interface GaleraArbitratorArgs {
  /** Container name. */
  hostname: string;
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  clusterName: string;
  /** The data nodes' group-communication addresses (host:port). */
  nodes: string[];
  /** This host's address: advertised to the nodes (base_host) and where 4567 is published (never 0.0.0.0). */
  hostAddress: string;
  owner: Record<string, string>;
}

/**
 * The Galera arbitrator (garbd) of a cluster whose data nodes are on two hosts (docs/hosts.md): a third vote and
 * no data, so losing either data host leaves 2 of 3 votes and the survivor keeps taking writes.
 */
export class GaleraArbitrator extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: GaleraArbitratorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:GaleraArbitrator", name, {}, opts);
    const options = `gmcast.listen_addr=tcp://0.0.0.0:${GALERA_PORTS.gcomm};base_host=${args.hostAddress};base_port=${GALERA_PORTS.gcomm}`;
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        entrypoints: ["garbd", "--group", args.clusterName, "--address", `gcomm://${args.nodes.join(",")}`, "--options", options],
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        ports: [{ internal: GALERA_PORTS.gcomm, external: GALERA_PORTS.gcomm, ip: args.hostAddress }],
        restart: RESTART_POLICY,
        // garbd has no status port: alive = its process; membership shows on the data nodes (wsrep_cluster_size)
        healthcheck: healthcheck(["CMD", "bash", "-c", "kill -0 1"], 5),
        ...waitUntilHealthy(),
        memory: 64,
        cpuShares: 128,
        labels: labels({ ...args.owner, "lchost.role": "galera-arbitrator" }),
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
