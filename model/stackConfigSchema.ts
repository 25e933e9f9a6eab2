import { EDITION_IDS, SEVERITIES } from "./catalog";
import { BALANCER_DEFAULTS, INTERFACE_NAME } from "./balancerPair";
import { HOST_NAME, stackHostsSchema } from "./hosts";

/**
 * JSON Schema of a stack's `lchost:` configuration (keys without the namespace).
 * It is the users' contract: `lchost schema` writes it out so editors can complete stack files.
 */
const dnsLabel = { type: "string", pattern: "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$" };
const cidr = {
  type: "string",
  // IPv4 a.b.c.d/n or IPv6 with /n; the address itself is checked again in code.
  pattern: "^(([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$",
};
const secretKeyName = { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_]*$" };
const emailAddress = {
  type: "string",
  pattern: "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
};
const hostName = { type: "string", pattern: HOST_NAME };
const httpsUrl = { type: "string", pattern: "^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s]*)?$" };
/** A path prefix as the gateway routes on it: normalized, so no empty segment; '.'/'..' segments are refused in code. */
const pathPrefix = { type: "string", pattern: "^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/?)?$" };
/** A Kubernetes object name of the DNS-subdomain kind (storage classes): lower-case labels joined by '.'. */
const dnsSubdomain = { type: "string", maxLength: 253, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" };
/** An extended resource a device plugin advertises, e.g. vendor.example/fsb. */
const extendedResourceName = { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$" };
/** A node label key (optional DNS-subdomain prefix + name) and value. */
const labelKey = "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
const labelValue = { type: "string", pattern: "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$" };
/** An instant with a zone (a time without one would mean the machine's zone). */
const isoInstant = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" };
/** A duration: a whole number of seconds, minutes or hours (30s, 5m, 2h). */
export const DURATION_PATTERN = "^[1-9][0-9]{0,5}(s|m|h)$";
const duration = { type: "string", pattern: DURATION_PATTERN };

/** Service types of the gateway on Kubernetes (`lchost:kubernetes.serviceType`), the default first. */
export const KUBERNETES_SERVICE_TYPES = ["LoadBalancer", "NodePort", "ClusterIP"] as const;

/** What a pattern means, in words: errors say this instead of printing the regular expression. */
export const PATTERN_MEANINGS: ReadonlyMap<string, string> = new Map([
  [dnsLabel.pattern, "a DNS label (lower-case letters, digits and '-', at most 63, not starting or ending with '-')"],
  [cidr.pattern, "a valid CIDR (address/prefix, e.g. 203.0.113.0/24)"],
  [emailAddress.pattern, "an email address (name@domain.example)"],
  [httpsUrl.pattern, "an https:// URL (notifications leave only over HTTPS; e.g. https://hooks.customer.example/lchost)"],
  [secretKeyName.pattern, "a config key name (a letter, then letters, digits or '_')"],
  [pathPrefix.pattern, "a path prefix starting with '/' (segments of letters, digits, '.', '_', '~', '-'; e.g. /ws/)"],
  [HOST_NAME, "a host name of the inventory (a lower-case letter, then lower-case letters, digits or '-', at most 63)"],
  [dnsSubdomain.pattern, "a storage class name (lower-case letters, digits, '-' and '.', e.g. fast-ssd or ebs.csi.aws.com)"],
  [extendedResourceName.pattern, "a device plugin's resource name (<vendor domain>/<name>, e.g. vendor.example/fsb)"],
  [INTERFACE_NAME, "a network interface name (at most 15 letters, digits, '_', '.', ':' or '-', e.g. eth0)"],
  [DURATION_PATTERN, "a duration (a whole number with s, m or h, e.g. 90s, 5m, 2h)"],
  [isoInstant.pattern, "an ISO 8601 instant with a zone (e.g. 2026-12-01T18:00:00Z)"],
  [labelValue.pattern, "a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)"],
]);

/** How the High Availability balancer picks a line for a new client (HAProxy's `balance`). */
export const BALANCING_ALGORITHMS = ["roundrobin", "leastconn", "source"] as const;
export const BALANCING_STICKINESS = ["source", "cookie"] as const;
/** HAProxy's largest server weight. */
export const MAX_LINE_WEIGHT = 256;

export const NOTIFICATION_LANGUAGES = ["de", "en"] as const;

const emailList = { type: "array", minItems: 1, uniqueItems: true, items: emailAddress };
const webhook = {
  type: "object",
  additionalProperties: false,
  required: ["url", "secretKey"],
  properties: {
    url: httpsUrl,
    secretKey: { ...secretKeyName, description: "name of the secret lchost: config key holding the HMAC-SHA256 signing secret" },
  },
};
const wholeSeconds = (min: number, max: number) => ({ type: "integer", minimum: min, maximum: max });

export const stackConfigSchema = {
  $id: "https://lchost.dev/schemas/stack-config.json",
  title: "lchost stack configuration (keys of the lchost: namespace)",
  type: "object",
  additionalProperties: false,
  properties: {
    role: {
      enum: ["customer", "shared-server", "operations"],
      description: "shared-server for the stack that hosts Datacenter tenants; operations for a data centre's monitoring (Prometheus, Alertmanager, notifier)",
    },
    customer: { ...dnsLabel, description: "the customer's DNS label; also its firm code on the FSB" },
    edition: { enum: [...EDITION_IDS] },
    platform: { enum: ["docker", "kubernetes"], default: "docker" },
    lines: { type: "integer", minimum: 2, maximum: 16, description: "High Availability only: number of High Performance lines" },
    sharedServer: { type: "string", pattern: "^([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$", description: "Datacenter only: the stack running the shared server" },
    extraLines: {
      type: "object",
      additionalProperties: false,
      required: ["count", "until"],
      description:
        "High Availability only: temporary extra lines for a load peak (lchost lines <stack> --add N --until T writes it); they run beside the booked lchost:lines until `until`, and the month's quotas grow with them pro rata",
      properties: {
        count: { type: "integer", minimum: 1, maximum: 14, description: "extra lines beside the booked ones" },
        until: { ...isoInstant, description: "when they go again (drained), an ISO 8601 instant with a zone, e.g. 2026-12-01T18:00:00Z" },
        since: {
          ...isoInstant,
          description: "when they were added (lchost lines writes it): the quotas count them from then; absent: from the start of the month",
        },
      },
    },
    autoscale: {
      type: "object",
      additionalProperties: false,
      required: ["maxExtraLines"],
      description:
        "High Availability only: lchost heal adds an extra line after a sustained FSB-bound peak and removes extra lines after sustained idle, never above maxExtraLines, never below the booked lines",
      properties: {
        maxExtraLines: { type: "integer", minimum: 1, maximum: 14, description: "the most extra lines at once (also the limit of lchost lines --add)" },
        scaleUpAfter: { ...duration, default: "5m", description: "how long the FSB queue / latency alerts must fire before a line is added" },
        scaleDownAfter: { ...duration, default: "30m", description: "how long the customer must be idle before an extra line is removed" },
      },
    },

    // at least one: the shared FSB emulator serves the tenants' firms and does not start without one
    tenants: {
      type: "array",
      items: dnsLabel,
      minItems: 1,
      uniqueItems: true,
      description: "shared-server only: the Datacenter tenants it hosts (at least one)",
    },
    host: {
      ...hostName,
      description:
        "the inventory host (fleet/hosts.yaml) the stack runs on: Dedicated Server, High Performance and shared servers (a Datacenter tenant runs on its shared server's host); lchost fleet place --write sets it",
    },
    hosts: {
      ...stackHostsSchema,
      description: "High Availability only: the hosts its parts are spread over, inventory host names or inline hosts (docs/hosts.md)",
    },
    galeraArbitrator: {
      ...stackHostsSchema.items,
      description:
        "High Availability on exactly 2 hosts (lchost:hosts): the third host that runs the Galera arbitrator (garbd, no data), an inventory host name or an inline host; with 3 hosts each Galera node has a host of its own (docs/hosts.md)",
    },
    domain: { type: "string", pattern: "^[a-z0-9.-]+$", description: "DNS domain of published endpoints; tenants get <customer>.<domain>" },
    behindHostEntry: {
      type: "boolean",
      default: false,
      description:
        "the stack's gateway sits behind its host's one HTTPS entry (docs/hosts.md): it takes a PROXY protocol v2 header on its public bind and publishes lchost:httpsPort on 127.0.0.1 only, where the entry reaches it; set by lchost fleet place --write; not on a Datacenter tenant (its shared server's gateway serves it)",
    },
    httpsPort: {
      type: "integer",
      minimum: 1,
      maximum: 65535,
      description: "host port of the published HTTPS endpoint (an operations stack: its status portal's)",
    },
    quotaMode: { enum: ["soft", "hard"] },
    startInMaintenance: {
      type: "boolean",
      default: false,
      description:
        "License Central lines start in maintenance until its state is written (LC_START_IN_MAINTENANCE): they never serve a new, empty database; lchost migrate sets it when it redeploys the stack",
    },
    generation: {
      type: "integer",
      minimum: 1,
      maximum: 999999,
      description:
        "the deployment generation (lchost migrate --target docker sets it): the database, FSBs and License Central lines of an own server are named lc-<customer>-g<N>-…, so the next edition starts beside the running one; absent: the names without a generation",
    },
    balancer: {
      type: "object",
      additionalProperties: false,
      required: ["virtualIp"],
      description:
        "High Availability on lchost:hosts: the balancer pair (HAProxy + keepalived on the first two hosts) and the customer's virtual IP it holds by VRRP (docs/hosts.md, The balancer pair)",
      properties: {
        virtualIp: {
          type: "string",
          description: "the customer's virtual IP (IPv4): in the network of the balancer hosts' addresses (prefixLength), not a host's own address",
        },
        prefixLength: {
          type: "integer",
          minimum: 8,
          maximum: 30,
          default: BALANCER_DEFAULTS.prefixLength,
          description: "the balancer hosts' network is <host address>/<prefixLength>; the VIP is added to their interface with it",
        },
        vrrpRouterId: {
          type: "integer",
          minimum: 1,
          maximum: 255,
          description: "VRRP virtual router id, unique among the VRRP instances on the hosts' network (default: the VIP's last octet)",
        },
        advertIntervalMs: {
          type: "integer",
          minimum: 100,
          maximum: 1000,
          default: BALANCER_DEFAULTS.advertIntervalMs,
          description: "VRRP advertisement interval; the backup takes over a silent node after 3 intervals plus skew (250 ms: about 0.9 s)",
        },
        interface: {
          type: "string",
          pattern: INTERFACE_NAME,
          default: BALANCER_DEFAULTS.interface,
          description: "the balancer hosts' network interface the VIP is added to",
        },
      },
    },
    balancing: {
      type: "object",
      additionalProperties: false,
      description:
        "High Availability only: how the balancer spreads requests over the lines (absent: least connections, every line equal, no routes, not sticky)",
      properties: {
        algorithm: {
          enum: [...BALANCING_ALGORITHMS],
          default: "roundrobin",
          description: "how a new client's line is chosen: roundrobin (by weight), leastconn (fewest open requests), source (hash of the client address)",
        },
        weights: {
          type: "array",
          minItems: 2,
          items: { type: "integer", minimum: 1, maximum: MAX_LINE_WEIGHT },
          description: "one per line, in line order (lchost:lines of them): a line's share of new clients relative to the others",
        },
        routes: {
          type: "array",
          minItems: 1,
          description:
            "path prefix -> the lines that serve it (e.g. web services on lines 1-2); decided on the normalized path, case-insensitively, per whole segment; other paths go to every line",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["pathPrefix", "lines"],
            properties: {
              pathPrefix,
              lines: {
                type: "array",
                minItems: 1,
                uniqueItems: true,
                items: { type: "integer", minimum: 1, maximum: 16 },
                description: "line numbers, 1 = the first",
              },
            },
          },
        },
        sticky: {
          enum: [...BALANCING_STICKINESS],
          description: "keep a client on its line while the line is up: by client address (source) or by a Secure, HttpOnly cookie naming the line",
        },
        rateLimit: {
          type: "object",
          additionalProperties: false,
          required: ["requestsPerSecond"],
          properties: {
            requestsPerSecond: {
              type: "integer",
              minimum: 1,
              maximum: 100000,
              description: "web-service requests (/ws/) one client address may send per second; more are answered 429 with Retry-After",
            },
          },
        },
      },
    },
    connection: {
      type: "object",
      additionalProperties: false,
      properties: {
        clientCertificate: {
          type: "object",
          additionalProperties: false,
          required: ["caCertificate"],
          properties: {
            caCertificate: {
              type: "string",
              pattern: "-----BEGIN CERTIFICATE-----",
              description: "PEM of the CA that signs the customer's client certificates",
            },
            crl: {
              type: "string",
              pattern: "^\\s*-----BEGIN X509 CRL-----[A-Za-z0-9+/=\\s]+-----END X509 CRL-----\\s*$",
              description:
                "PEM of that CA's certificate revocation list: a revoked client certificate is refused at the gateway (keep it current: an expired CRL refuses every client certificate)",
            },
          },
        },
        ipAllowList: { type: "array", minItems: 1, items: cidr, uniqueItems: true },
        basicAuth: {
          type: "object",
          additionalProperties: false,
          required: ["username", "passwordKey"],
          properties: {
            username: { type: "string", pattern: "^[A-Za-z0-9._-]{1,64}$" },
            passwordKey: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_]*$", description: "name of the secret lchost: config key holding the password" },
          },
        },
      },
    },
    expectedVolume: {
      type: "object",
      additionalProperties: false,
      properties: {
        activationsPerMonth: { type: "integer", minimum: 0 },
        webServiceCallsPerMonth: { type: "integer", minimum: 0 },
      },
    },
    fsb: {
      type: "object",
      additionalProperties: false,
      properties: {
        mode: {
          enum: ["emulator", "device", "shared"],
          description: "emulator or device: a dedicated box; shared: the hosting team's shared box (Dedicated Server)",
        },
        devicePath: { type: "string", pattern: "^/dev/[A-Za-z0-9/_.-]+$" },
        signLatencyMs: { type: "integer", minimum: 0, maximum: 60000 },
        sharedUrl: { type: "string", pattern: "^https?://[^\\s/]+(:[0-9]+)?/?$", description: "mode shared: base URL of the shared FSB" },
        tokenKey: {
          type: "string",
          pattern: "^[A-Za-z][A-Za-z0-9_]*$",
          description: "mode shared: name of the secret lchost: config key holding this customer's FSB token",
        },
      },
    },
    notifications: {
      type: "object",
      additionalProperties: false,
      description: "customer stacks (tenants too): who hears of this customer's alerts, in which language, from which severity on",
      properties: {
        email: emailList,
        webhook,
        language: { enum: [...NOTIFICATION_LANGUAGES], default: "de" },
        severity: { enum: [...SEVERITIES], default: "warning", description: "the lowest severity the customer is notified of" },
      },
    },
    fleet: {
      type: "object",
      additionalProperties: false,
      description: "operations only: where the stacks it watches live",
      properties: {
        stacksDir: { type: "string", minLength: 1, pattern: "^[^\\s]+$", default: "stacks/", description: "relative to the project root" },
      },
    },
    heal: {
      type: "object",
      additionalProperties: false,
      description:
        "operations only: the heal service (lchost heal serve, docs/self-healing.md): the host directories it acts on, bind-mounted read-write; relative to the project root",
      properties: {
        stateDir: {
          type: "string",
          minLength: 1,
          pattern: "^[^\\s]+$",
          default: ".docker-run",
          description: "where `lchost up --target docker` keeps each stack's plan (the heal service recreates parts from it)",
        },
        stacksDir: {
          type: "string",
          minLength: 1,
          pattern: "^[^\\s]+$",
          description: "the stack files it changes (extra lines, autoscale); default: lchost:fleet.stacksDir",
        },
        dryRun: { type: "boolean", default: false, description: "plan and audit only, change nothing" },
      },
    },
    operations: {
      type: "object",
      additionalProperties: false,
      required: ["onCall", "smtp"],
      description: "operations only: the hosting team's on-call receiver, the SMTP smarthost, interval overrides",
      properties: {
        onCall: {
          type: "object",
          additionalProperties: false,
          properties: { email: emailList, webhook },
        },
        smtp: {
          type: "object",
          additionalProperties: false,
          required: ["smarthost", "from"],
          properties: {
            smarthost: { type: "string", pattern: "^[A-Za-z0-9.-]+:[0-9]{1,5}$", description: "host:port of the SMTP smarthost" },
            from: emailAddress,
            usernameKey: { ...secretKeyName, description: "name of the secret lchost: config key holding the SMTP user name" },
            passwordKey: { ...secretKeyName, description: "name of the secret lchost: config key holding the SMTP password" },
          },
        },
        intervals: {
          type: "object",
          additionalProperties: false,
          description: "overrides of the catalog's monitoring.intervals",
          properties: {
            scrapeSeconds: wholeSeconds(1, 300),
            evaluationSeconds: wholeSeconds(1, 300),
            groupWaitSeconds: wholeSeconds(0, 600),
            groupIntervalSeconds: wholeSeconds(1, 3600),
            repeatIntervalMinutes: wholeSeconds(1, 10080),
          },
        },
      },
    },
    kubernetes: {
      type: "object",
      additionalProperties: false,
      description: "lchost:platform kubernetes only: how the stack lands on the cluster",
      properties: {
        storageClass: { ...dnsSubdomain, description: "storage class of the database and FSB key volumes (absent: the cluster's default class)" },
        serviceType: {
          enum: [...KUBERNETES_SERVICE_TYPES],
          default: "LoadBalancer",
          description: "type of the gateway's Service: LoadBalancer, NodePort, or ClusterIP behind an existing ingress",
        },
        fsbDevice: {
          type: "object",
          additionalProperties: false,
          description: "lchost:fsb.mode device: the real FSB box, by a device plugin's resource name or a host device path, on the nodes the selector picks",
          properties: {
            resourceName: { ...extendedResourceName, description: "the extended resource a device plugin advertises for the box" },
            hostPath: { type: "string", pattern: "^/dev/[A-Za-z0-9/_.-]+$", description: "the box's device node on the host (needs a privileged namespace)" },
            nodeSelector: {
              type: "object",
              minProperties: 1,
              propertyNames: { pattern: labelKey },
              additionalProperties: labelValue,
              description: "labels of the nodes the box is attached to",
            },
          },
        },
      },
    },
    image: { type: "string", minLength: 1, pattern: "^[^\\s]+$", description: "License Central image" },
    images: {
      type: "object",
      additionalProperties: false,
      properties: {
        database: { type: "string", pattern: "^[^\\s]+$" },
        fsbEmulator: { type: "string", pattern: "^[^\\s]+$" },
        balancer: { type: "string", pattern: "^[^\\s]+$" },
        mysqldExporter: { type: "string", pattern: "^[^\\s]+$" },
      },
    },
  },
} as const;

/**
 * JSON Schema of a whole stack file (stacks/Pulumi.<stack>.yaml) for editors: the lchost: keys with
 * their schemas, secrets as `secure:` values, other providers' keys (e.g. docker:host) left open.
 */
export function stackFileSchema(): Record<string, unknown> {
  const lchostKeys = Object.fromEntries(Object.entries(stackConfigSchema.properties).map(([k, s]) => [`lchost:${k}`, s]));
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "lchost stack file (stacks/Pulumi.<stack>.yaml)",
    type: "object",
    properties: {
      secretsprovider: { type: "string" },
      encryptionsalt: { type: "string" },
      config: {
        type: "object",
        properties: lchostKeys,
        patternProperties: {
          [`^lchost:(?!(${Object.keys(stackConfigSchema.properties).join("|")})$)[A-Za-z][A-Za-z0-9_]*$`]: {
            type: "object",
            required: ["secure"],
            properties: { secure: { type: "string" } },
            description: "a secret named by another key",
          },
          "^(?!lchost:)[A-Za-z0-9_-]+:.+$": {},
        },
        additionalProperties: false,
      },
    },
  };
}
