import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { STATUS_PORTAL_TOKEN_FILE } from "../render/alertmanager/config";
import { httpReadyTest, OperationsContainerArgs, operationsContainer, OperationsUpload } from "./operationsContainer";

/** Where Alertmanager's files are in its container (the sandbox rewrites these paths). */
export const ALERTMANAGER_PATHS = {
  binary: "/usr/bin/prometheus-alertmanager",
  config: "/etc/lchost/alertmanager/alertmanager.yml",
  /** The notifier's bearer token (alertmanager.yml's credentials_file; the monitoring contract's path). */
  notifierToken: "/etc/lchost/alertmanager/notifier-token",
  /** The status portal's bearer token (alertmanager.yml's credentials_file of the status-portal receiver). */
  statusPortalToken: STATUS_PORTAL_TOKEN_FILE,
  data: "/var/lib/lchost/alertmanager",
  port: 9093,
} as const;

export interface AlertmanagerServerArgs extends OperationsContainerArgs {
  /** Silences and the notification log live here: retained, so a restart neither forgets a silence nor re-sends. */
  volumeName: pulumi.Input<string>;
  /** alertmanager.yml as rendered (render/alertmanager/). */
  config: pulumi.Input<string>;
  /** The bearer token it presents to the notifier (secret). */
  notifierToken: pulumi.Input<string>;
  /** The bearer token it presents to the status portal (secret), when alertmanager.yml has its receiver. */
  statusPortalToken?: pulumi.Input<string>;
}

/** Alertmanager of an operations stack: routes each customer's alerts to that customer's notifier channels and everything to on-call. */
export class AlertmanagerServer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: string;

  constructor(name: string, args: AlertmanagerServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:AlertmanagerServer", name, {}, opts);
    const p = ALERTMANAGER_PATHS;
    this.container = operationsContainer(
      name,
      args,
      {
        system: "alertmanager",
        entrypoints: [
          p.binary,
          `--config.file=${p.config}`,
          `--storage.path=${p.data}`,
          `--web.listen-address=0.0.0.0:${p.port}`,
          // one Alertmanager per data centre: no gossip (it would bind and wait for peers that do not exist)
          "--cluster.listen-address=",
        ],
        uploads: [
          { file: p.config, content: args.config },
          { file: p.notifierToken, content: args.notifierToken, secret: true },
          ...(args.statusPortalToken !== undefined
            ? [{ file: p.statusPortalToken, content: args.statusPortalToken, secret: true } satisfies OperationsUpload]
            : []),
        ],
        data: { volumeName: args.volumeName, containerPath: p.data },
        port: p.port,
        healthTest: httpReadyTest(p.port, "/-/ready"),
        memoryMb: 256,
      },
      this,
    );
    this.url = `http://${args.hostname}:${p.port}`;
    this.registerOutputs({ url: this.url });
  }
}
