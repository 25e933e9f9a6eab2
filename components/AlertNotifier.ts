import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { NOTIFIER_DEFAULTS, NOTIFIER_ENV, NOTIFIER_HEALTH_PATH } from "../notifier/src/env";
import { OperationsContainerArgs, operationsContainer } from "./operationsContainer";
import { httpHealthCommand } from "./serviceEnv";

/** The notifier's command line in its image (notifier/): Debian's node and the built service. */
export const NOTIFIER_COMMAND = ["node", "/app/dist/notifier/src/main.js"];

export interface AlertNotifierArgs extends OperationsContainerArgs {
  /** recipients.json as rendered (render/notifier/recipients.ts): webhook secrets and SMTP credentials, so secret. */
  recipients: pulumi.Input<string>;
  /** The bearer token Alertmanager presents (secret; the same value as Alertmanager's credentials file). */
  token: pulumi.Input<string>;
}

/** The notifier: Alertmanager's webhook in, each customer's signed webhook and e-mail out (notifier/). */
export class AlertNotifier extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: string;

  constructor(name: string, args: AlertNotifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:AlertNotifier", name, {}, opts);
    const d = NOTIFIER_DEFAULTS;
    this.container = operationsContainer(
      name,
      args,
      {
        system: "notifier",
        entrypoints: NOTIFIER_COMMAND,
        envs: [
          `${NOTIFIER_ENV.port}=${d.port}`,
          `${NOTIFIER_ENV.host}=0.0.0.0`,
          `${NOTIFIER_ENV.recipientsFile}=${d.recipientsFile}`,
          `${NOTIFIER_ENV.tokenFile}=${d.tokenFile}`,
        ],
        uploads: [
          { file: d.recipientsFile, content: args.recipients, secret: true },
          { file: d.tokenFile, content: args.token, secret: true },
        ],
        port: d.port,
        healthTest: httpHealthCommand(d.port, NOTIFIER_HEALTH_PATH),
        memoryMb: 256,
      },
      this,
    );
    this.url = `http://${args.hostname}:${d.port}`;
    this.registerOutputs({ url: this.url });
  }
}
