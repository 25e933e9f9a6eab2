import { plainYaml } from "../plainYaml";
import { MonitoringIntervals, SEVERITIES, Severity } from "../../model/catalog";
import { Fleet } from "../../model/fleet";
import { operationsNames } from "../../model/naming";
import { OperationsSettings } from "../../model/stackConfig";
import { MAINTENANCE_ANNOUNCED_ALERT, NotifierChannel, notifierAlertmanagerUrl, NOTIFIER_DEFAULTS, ON_CALL_CUSTOMER } from "../../notifier/src/env";
import { PORTAL_ALERTMANAGER_PATH, PORTAL_DEFAULTS } from "../../status-portal/src/env";

/** Where the operations stack uploads the notifier's bearer token for Alertmanager (secret, mode 0600). */
export const NOTIFIER_TOKEN_FILE = "/etc/lchost/alertmanager/notifier-token";
/** Alertmanager groups by these labels: one notification thread per customer, alert and part. */
export const GROUP_BY = ["customer", "alertname", "part"] as const;
/** The notifier's name for the hosting team's on-call receiver (customers are DNS labels, so never this). */
export const ON_CALL = ON_CALL_CUSTOMER;
/** Where the operations stack uploads the status portal's bearer token for Alertmanager (secret, mode 0600). */
export const STATUS_PORTAL_TOKEN_FILE = "/etc/lchost/alertmanager/status-portal-token";
/** The receiver that turns every alert into the status portal's incidents. */
export const STATUS_PORTAL_RECEIVER = "status-portal";

export interface AlertmanagerConfigInput {
  fleet: Fleet;
  operationsStack: string;
  onCall: OperationsSettings["onCall"];
  intervals: MonitoringIntervals;
  tokenFile?: string;
  /** The status portal (container name): every alert also goes there, firing and resolved (docs/status-portal.md). */
  statusPortal?: { host: string; port?: number; tokenFile?: string };
  /** The heal service (`lchost heal serve`): its trigger alerts go there, and its own HealAction / HealGaveUp are routed. */
  heal?: HealReceiverInput;
}

/** Where Alertmanager reaches the heal service and what it authenticates with (files the operations stack uploads). */
export interface HealReceiverInput {
  /** https://host:port (the webhook path is added). */
  url: string;
  tokenFile?: string;
  /** Alertmanager's client certificate and key, issued by the heal CA; and the CA that signed the heal service's certificate. */
  certFile?: string;
  keyFile?: string;
  caFile?: string;
}

export const HEAL_RECEIVER = "heal";
/**
 * The alerts the heal service's playbooks act on or observe (heal/playbooks/*: crash-loop, fsb-hang on the parts;
 * galera-full-recovery and lost-node-repoint on the database nodes; autoscale on the peaks). A unit test checks
 * that every alert a playbook matches is here.
 */
export const HEAL_TRIGGER_ALERTS = [
  "LineDown",
  "FsbDown",
  "GatewayDown",
  "FsbNotSigning",
  "DatabaseDown",
  "DatabaseClusterSmaller",
  "FsbQueueSaturated",
  "HighLatency",
] as const;
/** The heal service's own alerts (heal/service/notifications.ts). */
export const HEAL_ACTION_ALERT = "HealAction";
export const HEAL_GAVE_UP_ALERT = "HealGaveUp";
export const HEAL_TOKEN_FILE = "/etc/lchost/alertmanager/heal-token";
export const HEAL_CLIENT_CERT_FILE = "/etc/lchost/alertmanager/heal-client.crt";
export const HEAL_CLIENT_KEY_FILE = "/etc/lchost/alertmanager/heal-client.key";
export const HEAL_CA_FILE = "/etc/lchost/alertmanager/heal-ca.crt";

/**
 * Alertmanager's webhook to the heal service: TLS with its client certificate, the bearer token. Resolved alerts
 * too: autoscale counts its idle time from a peak's end, and the service stops rechecking an alert that resolved.
 */
export function healWebhook(h: HealReceiverInput) {
  return {
    url: `${h.url.replace(/\/+$/, "")}/v1/alertmanager`,
    send_resolved: true,
    max_alerts: 50,
    http_config: {
      authorization: { type: "Bearer", credentials_file: h.tokenFile ?? HEAL_TOKEN_FILE },
      tls_config: {
        ca_file: h.caFile ?? HEAL_CA_FILE,
        cert_file: h.certFile ?? HEAL_CLIENT_CERT_FILE,
        key_file: h.keyFile ?? HEAL_CLIENT_KEY_FILE,
        insecure_skip_verify: false,
      },
      follow_redirects: false,
    },
  };
}

/** Alertmanager's webhook to the status portal: every alert (no severity filter: the portal decides), resolved ones too. */
export function statusPortalWebhook(p: NonNullable<AlertmanagerConfigInput["statusPortal"]>) {
  return {
    url: `http://${p.host}:${p.port ?? PORTAL_DEFAULTS.port}${PORTAL_ALERTMANAGER_PATH}`,
    send_resolved: true,
    http_config: { authorization: { type: "Bearer", credentials_file: p.tokenFile ?? STATUS_PORTAL_TOKEN_FILE }, follow_redirects: false },
  };
}

export const customerReceiverName = (customer: string) => `customer-${customer}`;

/** The severities a receiver with this minimum hears of, lowest first. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}

/**
 * alertmanager.yml: every alert goes to the on-call receiver (first route, `continue: true`), then to
 * its customer's receiver only — routed by the `customer` label with an exact matcher, so one customer
 * never hears of another's alerts — when its severity reaches the customer's minimum. Each channel is
 * its own webhook_configs entry (email and webhook retry independently) and resolved alerts are sent.
 * A maintenance announcement (MaintenanceAnnounced, posted by `lchost maintenance announce`) is a notice,
 * not a fault: it reaches the customer whatever its minimum severity (its own route, before the other).
 */
export function renderAlertmanagerConfig(input: AlertmanagerConfigInput): string {
  const notifier = operationsNames(input.operationsStack).notifier;
  const httpConfig = { authorization: { type: "Bearer", credentials_file: input.tokenFile ?? NOTIFIER_TOKEN_FILE }, follow_redirects: false };
  const channel = (who: string, ch: NotifierChannel) => ({
    url: notifierAlertmanagerUrl(notifier, who, ch, NOTIFIER_DEFAULTS.port),
    send_resolved: true,
    http_config: httpConfig,
  });
  const channels = (who: string, n: { email: string[]; webhook?: unknown }) => [
    ...(n.email.length > 0 ? [channel(who, "email")] : []),
    ...(n.webhook ? [channel(who, "webhook")] : []),
  ];
  const notified = input.fleet.customers.filter((c) => c.notifications && channels(c.customer, c.notifications).length > 0);
  const iv = input.intervals;
  const doc = {
    route: {
      receiver: "oncall",
      group_by: [...GROUP_BY],
      group_wait: `${iv.groupWaitSeconds}s`,
      group_interval: `${iv.groupIntervalSeconds}s`,
      repeat_interval: `${iv.repeatIntervalMinutes}m`,
      routes: [
        ...(input.statusPortal ? [{ receiver: STATUS_PORTAL_RECEIVER, continue: true }] : []),
        ...(input.heal
          ? [
              { receiver: HEAL_RECEIVER, matchers: [`alertname=~"${HEAL_TRIGGER_ALERTS.join("|")}"`], continue: true },
              // the heal service gave up: a page for on-call, not a message to the customer
              { receiver: "oncall", matchers: [`alertname="${HEAL_GAVE_UP_ALERT}"`], continue: false },
            ]
          : []),
        { receiver: "oncall", continue: true },
        ...notified.flatMap((c) => [
          // every action the heal service takes reaches the customer whatever its minimum severity, once
          ...(input.heal
            ? [{ receiver: customerReceiverName(c.customer), matchers: [`customer="${c.customer}"`, `alertname="${HEAL_ACTION_ALERT}"`], continue: false }]
            : []),
          { receiver: customerReceiverName(c.customer), matchers: [`customer="${c.customer}"`, `alertname="${MAINTENANCE_ANNOUNCED_ALERT}"`], continue: true },
          {
            receiver: customerReceiverName(c.customer),
            matchers: [
              `customer="${c.customer}"`,
              `alertname!="${MAINTENANCE_ANNOUNCED_ALERT}"`,
              `severity=~"${severitiesFrom(c.notifications!.severity).join("|")}"`,
            ],
            continue: true,
          },
        ]),
      ],
    },
    // A part's critical alert says enough: its warnings (quota 80 % under quota used up) stay quiet meanwhile.
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["customer", "component", "part"] }],
    receivers: [
      ...(input.statusPortal ? [{ name: STATUS_PORTAL_RECEIVER, webhook_configs: [statusPortalWebhook(input.statusPortal)] }] : []),
      ...(input.heal ? [{ name: HEAL_RECEIVER, webhook_configs: [healWebhook(input.heal)] }] : []),
      { name: "oncall", webhook_configs: channels(ON_CALL, input.onCall) },
      ...notified.map((c) => ({ name: customerReceiverName(c.customer), webhook_configs: channels(c.customer, c.notifications!) })),
    ],
  };
  return `# Rendered by lchost (render/alertmanager/config.ts) for operations stack ${input.operationsStack}; do not edit.\n${plainYaml(doc)}`;
}
