import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { httpReadyTest, OperationsContainerArgs, operationsContainer } from "./operationsContainer";

/** Where Prometheus' files are in its container (the sandbox rewrites these paths). */
export const PROMETHEUS_PATHS = {
  binary: "/usr/bin/prometheus",
  config: "/etc/lchost/prometheus/prometheus.yml",
  rules: "/etc/lchost/prometheus/rules.yml",
  data: "/var/lib/lchost/prometheus",
  port: 9090,
} as const;

export interface PrometheusServerArgs extends OperationsContainerArgs {
  /** The TSDB volume, created by the caller with a stable name and retained: the history outlives the container. */
  volumeName: pulumi.Input<string>;
  /** prometheus.yml and the alert rules, as rendered (render/prometheus/). */
  config: pulumi.Input<string>;
  rules: pulumi.Input<string>;
  retentionDays: number;
}

/** Prometheus of an operations stack: scrapes every watched customer part and evaluates the alert rules. */
export class PrometheusServer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: string;

  constructor(name: string, args: PrometheusServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:PrometheusServer", name, {}, opts);
    const p = PROMETHEUS_PATHS;
    this.container = operationsContainer(
      name,
      args,
      {
        system: "prometheus",
        entrypoints: [
          p.binary,
          `--config.file=${p.config}`,
          `--storage.tsdb.path=${p.data}`,
          `--storage.tsdb.retention.time=${args.retentionDays}d`,
          `--web.listen-address=0.0.0.0:${p.port}`,
        ],
        uploads: [
          { file: p.config, content: args.config },
          { file: p.rules, content: args.rules },
        ],
        data: { volumeName: args.volumeName, containerPath: p.data },
        port: p.port,
        healthTest: httpReadyTest(p.port, "/-/ready"),
        startPeriodSeconds: 30, // replaying the TSDB's write-ahead log after a restart takes a while
        memoryMb: 1024,
      },
      this,
    );
    this.url = `http://${args.hostname}:${p.port}`;
    this.registerOutputs({ url: this.url });
  }
}
