import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { databaseExporterName } from "../model/naming";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { DatabaseExporter } from "./DatabaseExporter";
import { DATABASE_PATHS } from "./render/databasePaths";
import { monitorUserSql } from "./render/databaseSql";
import { renderDatabaseStartScript, renderGaleraNodeConfig, renderMariadbConfig } from "./render/mariadbConfig";

export const DB_PORT = 3306;
export { DATABASE_PATHS };
const { datadir: DATADIR, config: CONFIG, start: START, init: INIT } = DATABASE_PATHS;
/** Galera's ports: group communication, incremental and full state transfer. */
export const GALERA_PORTS = { gcomm: 4567, ist: 4568, sst: 4444 } as const;

/** The server part of my.cnf for a node with this much memory (Docker and Kubernetes render the same). */
export function databaseServerSpec(memoryMb: number) {
  return { port: DB_PORT, bindAddress: "0.0.0.0", innodbBufferPoolMb: Math.max(64, Math.floor(memoryMb / 4)) };
}

/** A Galera node's my.cnf: this node's name and address, every peer's group-communication address. */
export function renderGaleraNode(
  memoryMb: number,
  node: { clusterName: string; name: string; address: string; peers: string[]; istBindAddress?: string },
): string {
  return renderGaleraNodeConfig({
    ...databaseServerSpec(memoryMb),
    clusterName: node.clusterName,
    nodeName: node.name,
    nodeAddress: node.address,
    clusterAddresses: node.peers.map((p) => `${p}:${GALERA_PORTS.gcomm}`),
    gcommPort: GALERA_PORTS.gcomm,
    istPort: GALERA_PORTS.ist,
    sstPort: GALERA_PORTS.sst,
    ...(node.istBindAddress ? { istBindAddress: node.istBindAddress } : {}),
  });
}

export interface DatabaseNodeArgs {
  hostname: string;
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  /** The data volume, created by the caller with a stable name (it outlives editions). */
  volumeName: pulumi.Input<string>;
  /** Idempotent SQL run when the server starts (schema, users): a secret, it holds passwords. */
  initSql: pulumi.Input<string>;
  memoryMb: number;
  cpuShares: number;
  /**
   * `peers`: every member's group-communication address (this node's and an arbitrator's included).
   * `nodeAddress`: the address the others reach this node at (default: its container name on the shared network).
   */
  galera?: { clusterName: string; nodeIndex: number; peers: string[]; nodeAddress?: string };
  /**
   * A node of a stack spread over hosts (docs/hosts.md): MariaDB and Galera's ports published on this host
   * address only (never 0.0.0.0), where lines and nodes on the other hosts reach it.
   */
  publishOn?: string;
  /**
   * Every database node is watched: the init SQL also creates the monitoring account with this password, and a
   * prometheus-mysqld-exporter container (`<hostname>-exporter`) logs in with it.
   */
  monitoring: {
    exporterImage: pulumi.Input<string>;
    monitorPassword: pulumi.Input<string>;
    /** The exporter's networks when not all of the database's (the shared server's: not the tenants' networks). */
    networks?: pulumi.Input<string>[];
  };
  owner: Record<string, string>;
}

/** One MariaDB server (or Galera node) in a container, started by the rendered script and config. */
export class DatabaseNode extends pulumi.ComponentResource {
  readonly host: string;
  readonly container: docker.Container;
  readonly exporter: DatabaseExporter;

  constructor(name: string, args: DatabaseNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:DatabaseNode", name, {}, opts);
    this.host = args.hostname;
    const config = args.galera
      ? renderGaleraNode(args.memoryMb, {
          clusterName: args.galera.clusterName,
          name: args.hostname,
          address: args.galera.nodeAddress ?? args.hostname,
          peers: args.galera.peers,
          ...(args.publishOn ? { istBindAddress: "0.0.0.0" } : {}),
        })
      : renderMariadbConfig(databaseServerSpec(args.memoryMb));
    const start = renderDatabaseStartScript({
      datadir: DATADIR,
      configPath: CONFIG,
      initFilePath: INIT,
      galera: args.galera ? { bootstrapNode: args.galera.nodeIndex === 1 } : undefined,
    });
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        // The rendered script replaces the image's entrypoint: what runs is exactly what we render.
        entrypoints: ["/bin/sh", START],
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        volumes: [{ volumeName: args.volumeName, containerPath: DATADIR }],
        ...(args.publishOn
          ? { ports: [DB_PORT, GALERA_PORTS.gcomm, GALERA_PORTS.ist, GALERA_PORTS.sst].map((port) => ({ internal: port, external: port, ip: args.publishOn })) }
          : {}),
        uploads: [
          { file: CONFIG, content: config },
          { file: START, content: start, executable: true },
          {
            file: INIT,
            content: pulumi.secret(
              pulumi.all([args.initSql, args.monitoring.monitorPassword]).apply(([sql, password]) => `${sql}${monitorUserSql({ password })}`),
            ),
          },
        ],
        restart: RESTART_POLICY,
        healthcheck: healthcheck(["CMD", "mariadb-admin", "ping", "-h", "127.0.0.1", `-P${DB_PORT}`], args.galera ? 60 : 20),
        ...waitUntilHealthy(),
        memory: args.memoryMb,
        cpuShares: args.cpuShares,
        labels: labels({ ...args.owner, "lchost.role": "database" }),
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["uploads"] },
    );
    this.exporter = new DatabaseExporter(
      `${name}-exporter`,
      {
        hostname: databaseExporterName(args.hostname),
        databaseHost: args.hostname,
        databasePort: DB_PORT,
        image: args.monitoring.exporterImage,
        networks: args.monitoring.networks ?? args.networks,
        monitorPassword: args.monitoring.monitorPassword,
        // started once its database answers (the database container waits for its own health check)
        database: this.container,
        owner: args.owner,
      },
      { parent: this },
    );
    this.registerOutputs({ host: this.host });
  }
}
