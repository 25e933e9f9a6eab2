import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HEAL_CA_FILE, HEAL_CLIENT_CERT_FILE, HEAL_CLIENT_KEY_FILE, HEAL_TOKEN_FILE, STATUS_PORTAL_TOKEN_FILE } from "../render/alertmanager/config";
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
  /** The heal receiver's files (alertmanager.yml's http_config of the heal webhook). */
  heal: { token: HEAL_TOKEN_FILE, clientCert: HEAL_CLIENT_CERT_FILE, clientKey: HEAL_CLIENT_KEY_FILE, ca: HEAL_CA_FILE },
} as const;

/** The image's user (scripts/docker/alertmanager/Dockerfile pins it): owner of the mode 0400 secret files. */
export const ALERTMANAGER_USER = { uid: 100, gid: 101 } as const;

/** What Alertmanager needs to post to the heal service: its client certificate and key (heal CA), the CA, the token. */
export interface AlertmanagerHealFiles {
  token: pulumi.Input<string>;
  clientCert: pulumi.Input<string>;
  clientKey: pulumi.Input<string>;
  /** The heal CA's certificate: it signed the heal service's server certificate. */
  ca: pulumi.Input<string>;
}

export interface AlertmanagerServerArgs extends OperationsContainerArgs {
  /** Silences and the notification log live here: retained, so a restart neither forgets a silence nor re-sends. */
  volumeName: pulumi.Input<string>;
  /** alertmanager.yml as rendered (render/alertmanager/). */
  config: pulumi.Input<string>;
  /** The bearer token it presents to the notifier (secret). */
  notifierToken: pulumi.Input<string>;
  /** The bearer token it presents to the status portal (secret), when alertmanager.yml has its receiver. */
  statusPortalToken?: pulumi.Input<string>;
  /** The heal receiver's files (secret key and token), when alertmanager.yml has that receiver. */
  heal?: AlertmanagerHealFiles;
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
          ...(args.heal ? healUploads(args.heal) : []),
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

/** The heal receiver's files: key and token readable by Alertmanager's user only (0400), the certificates by anyone. */
function healUploads(h: AlertmanagerHealFiles): OperationsUpload[] {
  const p = ALERTMANAGER_PATHS.heal;
  const own = { owner: ALERTMANAGER_USER };
  return [
    { file: p.token, content: h.token, secret: true, mode: "0400", ...own },
    { file: p.clientKey, content: h.clientKey, secret: true, mode: "0400", ...own },
    { file: p.clientCert, content: h.clientCert, mode: "0444" },
    { file: p.ca, content: h.ca, mode: "0444" },
  ];
}
