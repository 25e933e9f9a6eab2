import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AlertmanagerServer } from "../components/AlertmanagerServer";
import { AlertNotifier } from "../components/AlertNotifier";
import { BlackboxExporter } from "../components/BlackboxExporter";
import { PrometheusServer } from "../components/PrometheusServer";
import { stackImages } from "../components/StackImages";
import { editionCatalog } from "../model/catalog";
import type { Fleet } from "../model/fleet";
import { customerNames, operationsNames, sharedServerNames } from "../model/naming";
import type { OperationsConfig } from "../model/stackConfig";
import { renderMonitoringFiles } from "../render/monitoringFiles";
import { renderNotifierRecipients } from "../render/notifier/recipients";

export interface OperationsStackArgs {
  config: OperationsConfig;
  /** What it watches: the stack files of lchost:fleet.stacksDir (model/fleet.ts). */
  fleet: Fleet;
  /** The retained volumes, created by the program with stable names. */
  prometheusVolume: pulumi.Input<string>;
  alertmanagerVolume: pulumi.Input<string>;
  /** Each notified customer's webhook signing secret by customer stack name (from that stack's secret output). */
  customerWebhookSecrets: Record<string, pulumi.Output<string>>;
  /** A secret lchost: key of the operations stack (on-call webhook secret, SMTP credentials). */
  secret(key: string): pulumi.Output<string>;
}

/**
 * The networks Prometheus and the blackbox exporter join to reach every watched part by container name:
 * each customer's own network; for a Datacenter tenant its network on the shared server (its line) and
 * the shared server's backend network (database, FSB and entry point). Sorted, without repeats.
 */
export function watchedNetworks(fleet: Fleet): string[] {
  const nets = new Set<string>();
  for (const c of fleet.customers) {
    if (c.sharedServer) {
      const s = sharedServerNames(c.sharedServer);
      nets.add(s.tenantNetwork(c.customer));
      nets.add(s.backendNetwork);
    } else {
      nets.add(customerNames(c.customer).network);
    }
  }
  return [...nets].sort();
}

/** The operations stack's own secret keys the recipients file needs. */
function operationsSecretKeys(cfg: OperationsConfig): string[] {
  const o = cfg.operations;
  return [o.onCall.webhook?.secretKey, o.smtp.usernameKey, o.smtp.passwordKey].filter((k): k is string => typeof k === "string");
}

/**
 * The operations stack of a data centre (`lchost:role: operations`): Prometheus, Alertmanager, the blackbox
 * exporter and the notifier, configured from the fleet by the pure renderers (render/). Prometheus and the
 * blackbox exporter join every watched network; Alertmanager and the notifier only the stack's own.
 */
export class OperationsStack extends pulumi.ComponentResource {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly files: ReturnType<typeof renderMonitoringFiles>;
  readonly recipients: pulumi.Output<string>;

  constructor(name: string, args: OperationsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:editions:OperationsStack", name, {}, opts);
    const cfg = args.config;
    const names = operationsNames(cfg.name);
    const o = { parent: this };
    const owner = { "lchost.operations": cfg.name };
    const common = editionCatalog().common;
    const images = stackImages(common.operationsImages, o);
    const own = new docker.Network(
      "operations-network",
      { name: names.network, driver: "bridge", labels: [{ label: "lchost.operations", value: cfg.name }] },
      o,
    );
    const watching = [own.name, ...watchedNetworks(args.fleet)];

    this.files = renderMonitoringFiles(args.fleet, cfg);
    const token = new random.RandomPassword("notifier-token", { length: 40, special: false }, o);
    const opsKeys = operationsSecretKeys(cfg);
    const customerSecrets = pulumi.all(args.customerWebhookSecrets);
    const opsSecrets = pulumi.all(Object.fromEntries(opsKeys.map((k) => [k, args.secret(k)])));
    this.recipients = pulumi.secret(
      pulumi.all([customerSecrets, opsSecrets]).apply(([byStack, byKey]) =>
        renderNotifierRecipients(args.fleet, cfg.operations, {
          customerSecret: (stack) => {
            const v = byStack[stack];
            if (v === undefined) throw new Error(`operations stack ${cfg.name}: no webhook secret of customer stack '${stack}'`);
            return v;
          },
          operationsSecret: (key) => byKey[key],
        }),
      ),
    );

    new AlertNotifier(
      "notifier",
      { hostname: names.notifier, image: images.notifier!, networks: [own.name], owner, recipients: this.recipients, token: token.result },
      o,
    );
    const am = new AlertmanagerServer(
      "alertmanager",
      {
        hostname: names.alertmanager,
        image: images.alertmanager!,
        networks: [own.name],
        owner,
        volumeName: args.alertmanagerVolume,
        config: this.files["alertmanager.yml"],
        notifierToken: token.result,
      },
      o,
    );
    new BlackboxExporter(
      "blackbox",
      { hostname: names.blackbox, image: images.blackboxExporter!, networks: watching, owner, config: this.files["blackbox.yml"] },
      o,
    );
    const prometheus = new PrometheusServer(
      "prometheus",
      {
        hostname: names.prometheus,
        image: images.prometheus!,
        networks: watching,
        owner,
        volumeName: args.prometheusVolume,
        config: this.files["prometheus.yml"],
        rules: this.files["rules.yml"],
        retentionDays: common.prometheusRetentionDays,
      },
      o,
    );
    this.prometheusUrl = prometheus.url;
    this.alertmanagerUrl = am.url;
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}
