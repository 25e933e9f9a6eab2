import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { httpReadyTest, OperationsContainerArgs, operationsContainer } from "./operationsContainer";

/** Where the blackbox exporter's files are in its container (the sandbox rewrites these paths). */
export const BLACKBOX_PATHS = {
  binary: "/usr/bin/prometheus-blackbox-exporter",
  config: "/etc/lchost/blackbox/blackbox.yml",
  port: 9115,
} as const;

export interface BlackboxExporterArgs extends OperationsContainerArgs {
  /** blackbox.yml as rendered (render/prometheus/): one HTTPS module per customer. */
  config: pulumi.Input<string>;
}

/** The blackbox exporter: probes every customer's public HTTPS entry as a customer would (TLS, host name, certificate expiry). */
export class BlackboxExporter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly address: string;

  constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:BlackboxExporter", name, {}, opts);
    const p = BLACKBOX_PATHS;
    this.container = operationsContainer(
      name,
      args,
      {
        system: "blackbox",
        entrypoints: [p.binary, `--config.file=${p.config}`, `--web.listen-address=0.0.0.0:${p.port}`],
        uploads: [{ file: p.config, content: args.config }],
        port: p.port,
        healthTest: httpReadyTest(p.port, "/-/healthy"),
        memoryMb: 128,
      },
      this,
    );
    this.address = `${args.hostname}:${p.port}`;
    this.registerOutputs({ address: this.address });
  }
}
