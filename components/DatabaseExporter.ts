import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { MONITOR_USER } from "./render/databaseSql";
import {
  MYSQLD_EXPORTER_BINARY,
  MYSQLD_EXPORTER_CONFIG,
  MYSQLD_EXPORTER_PORT,
  mysqldExporterArgs,
  renderMysqldExporterMyCnf,
} from "./render/mysqldExporterConfig";

export interface DatabaseExporterArgs {
  /** The exporter container's name: `<database container>-exporter` (model/naming.ts databaseExporterName). */
  hostname: string;
  /** The database container it watches, and its port. */
  databaseHost: string;
  databasePort: number;
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  /** The monitoring account's password (a Pulumi secret; the database's init SQL creates the account). */
  monitorPassword: pulumi.Input<string>;
  /** The database's container: the exporter is created once it is (and, with `wait`, healthy). */
  database?: pulumi.Resource;
  owner: Record<string, string>;
}

/**
 * prometheus-mysqld-exporter beside one database node: it logs in as the monitoring account and serves
 * the server's and Galera's state on 9104 to the operations stack's Prometheus (container network only,
 * nothing published). Its health check asks the exporter itself, not the database: a database that is
 * down must show as mysql_up 0, not restart the exporter.
 */
export class DatabaseExporter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly endpoint: string;

  constructor(name: string, args: DatabaseExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:DatabaseExporter", name, {}, opts);
    const myCnf = pulumi
      .output(args.monitorPassword)
      .apply((password) => renderMysqldExporterMyCnf({ host: args.databaseHost, port: args.databasePort, user: MONITOR_USER, password }));
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${MYSQLD_EXPORTER_PORT} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3`;
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        // explicit entrypoint and paths: the sandbox runs the same command line on the host
        entrypoints: [MYSQLD_EXPORTER_BINARY, ...mysqldExporterArgs({ configPath: MYSQLD_EXPORTER_CONFIG, listenAddress: "" })],
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        uploads: [{ file: MYSQLD_EXPORTER_CONFIG, content: pulumi.secret(myCnf) }],
        restart: RESTART_POLICY,
        healthcheck: healthcheck(["CMD", "bash", "-c", probe], 5),
        ...waitUntilHealthy(),
        memory: 64,
        cpuShares: 128,
        labels: labels({ ...args.owner, "lchost.role": "database-exporter", "lchost.database": args.databaseHost }),
      },
      { parent: this, dependsOn: args.database ? [args.database] : [], deleteBeforeReplace: true, additionalSecretOutputs: ["uploads"] },
    );
    this.endpoint = `http://${args.hostname}:${MYSQLD_EXPORTER_PORT}/metrics`;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
