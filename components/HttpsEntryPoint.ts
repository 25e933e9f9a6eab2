import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { BEHIND_HOST_ENTRY_ADDRESS } from "../haproxy/renderHostEntry";
import { GatewayLimits, HaproxyBackend, HaproxyConfigSpec, DEFAULT_HEALTH, HAPROXY_PROMETHEUS_PORT, renderAllowList, renderHaproxyConfig } from "../haproxy";

const DIR = "/usr/local/etc/haproxy";
export const ENTRY_INTERNAL_PORT = 8443;
const MONITOR_PORT = 8404;
/** HAProxy's monitor URI on MONITOR_PORT (renderHaproxyConfig). */
export const ENTRY_MONITOR = { port: MONITOR_PORT, path: "/haproxy-health" } as const;
/** Where HAProxy's files are, the same on Docker and Kubernetes. */
export const ENTRY_PATHS = {
  dir: DIR,
  config: `${DIR}/haproxy.cfg`,
  certificate: `${DIR}/tls/server.pem`,
  clientCa: `${DIR}/tls/client-ca.crt`,
  clientCrl: `${DIR}/tls/client-ca.crl`,
  allowList: `${DIR}/allow.lst`,
  adminSocket: "/tmp/haproxy-admin.sock",
  monitorPort: MONITOR_PORT,
} as const;

/**
 * The haproxy.cfg spec of an HTTPS entry point, secrets left out (the caller adds them once known): the one
 * spec the Docker and the Kubernetes gateway render. `dockerDns` resolves servers through Docker's embedded
 * DNS; on Kubernetes servers are Services, resolved by libc at start.
 */
export function httpsEntrySpec(args: {
  clientCaCertificate?: string;
  clientCrl?: string;
  ipAllowList?: string[];
  webServices: boolean;
  backends: HaproxyBackend[];
  limits: GatewayLimits;
  dockerDns: boolean;
  /** lchost:balancing.rateLimit: requests per second one client address may send to /ws/. */
  webServiceRateLimit?: { requestsPerSecond: number };
  /** The backends' health-check path when not License Central's /readyz (the status portal: /healthz). */
  healthPath?: string;
  /** Path prefixes served on internal ports only (HaproxyConfigSpec.internalPaths): 404 here. */
  internalPaths?: string[];
  /** The backend reads the client's address from X-Forwarded-For (HaproxyConfigSpec.forwardClientAddress). */
  forwardClientAddress?: boolean;
  /** Behind the host's entry (lchost:behindHostEntry): the public bind takes its PROXY v2 header. */
  behindHostEntry?: boolean;
}): HaproxyConfigSpec {
  return {
    bind: { address: "*", port: ENTRY_INTERNAL_PORT },
    certificatePath: ENTRY_PATHS.certificate,
    clientCaPath: args.clientCaCertificate ? ENTRY_PATHS.clientCa : undefined,
    clientCrlPath: args.clientCaCertificate && args.clientCrl ? ENTRY_PATHS.clientCrl : undefined,
    allowListPath: args.ipAllowList ? ENTRY_PATHS.allowList : undefined,
    webServices: args.webServices,
    backends: args.backends,
    health: args.healthPath ? { ...DEFAULT_HEALTH, path: args.healthPath } : DEFAULT_HEALTH,
    dockerDns: args.dockerDns,
    adminSocketPath: ENTRY_PATHS.adminSocket,
    monitorPort: MONITOR_PORT,
    // the ops stack's Prometheus reaches it on the container network; the container publishes only the entry's port
    prometheus: { address: "*", port: HAPROXY_PROMETHEUS_PORT },
    limits: args.limits,
    webServiceRateLimit: args.webServiceRateLimit,
    ...(args.internalPaths ? { internalPaths: args.internalPaths } : {}),
    ...(args.forwardClientAddress ? { forwardClientAddress: true } : {}),
    ...(args.behindHostEntry ? { acceptProxy: true } : {}),
  };
}

export interface HttpsEntryPointArgs {
  hostname: string;
  /** Public DNS names on the server certificate. */
  dnsNames: string[];
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  publishedPort: number;
  webServices: boolean;
  clientCaCertificate?: string;
  /** Revocation list (PEM) of that CA, uploaded beside it. */
  clientCrl?: string;
  ipAllowList?: string[];
  basicAuth?: { username: string; passwordHash: pulumi.Input<string> };
  /** Token the gateway adds to web-service requests it let through (License Central's LC_WS_TOKEN). */
  webServiceToken?: pulumi.Input<string>;
  backends: HaproxyBackend[];
  /** The edition catalog's `gateway` limits. */
  limits: GatewayLimits;
  /** Web-service requests per second per client address (lchost:balancing.rateLimit); more get 429. */
  webServiceRateLimit?: { requestsPerSecond: number };
  healthPath?: string;
  internalPaths?: string[];
  forwardClientAddress?: boolean;
  /** lchost:behindHostEntry: PROXY v2 on the public bind, published on BEHIND_HOST_ENTRY_ADDRESS only. */
  behindHostEntry?: boolean;
  /**
   * A node of a balancer pair (docs/hosts.md): the pair's one certificate and key (both nodes serve the VIP's
   * clients), and HAProxy's monitor port published on 127.0.0.1:<monitorHostPort> of its host for keepalived's check
   * (absent: no keepalived, no lchost:balancer).
   */
  pairNode?: { certificatePem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string>; monitorHostPort?: number };
  owner: Record<string, string>;
}

/** haproxy.cfg of an entry point once its secrets (basic-auth hash, web-service token) are known. */
export function renderEntryConfig(
  spec: HaproxyConfigSpec,
  secrets: { basicAuth?: { username: string; passwordHash: pulumi.Input<string> }; webServiceToken?: pulumi.Input<string> },
): pulumi.Output<string> {
  return pulumi.all([secrets.basicAuth?.passwordHash ?? "", secrets.webServiceToken ?? ""]).apply(([hash, token]) =>
    renderHaproxyConfig({
      ...spec,
      basicAuth: secrets.basicAuth ? { username: secrets.basicAuth.username, passwordHash: hash } : undefined,
      webServiceToken: secrets.webServiceToken ? token : undefined,
    }),
  );
}

/** The entry's self-signed certificate and key (ECDSA P-256, a year, renewed 30 days early), children of `parent`. */
export function entryCertificate(
  name: string,
  dnsNames: string[],
  parent: pulumi.Resource,
): { certPem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string> } {
  const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const cert = new tls.SelfSignedCert(
    `${name}-tls-cert`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: dnsNames[0], organization: "lchost" },
      dnsNames,
      validityPeriodHours: 24 * 365,
      earlyRenewalHours: 24 * 30,
      allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
    },
    { parent },
  );
  return { certPem: cert.certPem, privateKeyPem: key.privateKeyPem };
}

/**
 * HAProxy as the TLS entry point: the gateway of a Dedicated or High Performance server, the load
 * balancer of a High Availability package, or the shared entry point of Datacenter tenants. It
 * enforces the stack's connection security on /ws/ and health-checks every backend server.
 */
export class HttpsEntryPoint extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly config: pulumi.Output<string>;
  /** The entry point's (self-signed) certificate, public: the operations stack's blackbox probe trusts exactly it. */
  readonly certificatePem: pulumi.Output<string>;
  readonly container: docker.Container;

  constructor(name: string, args: HttpsEntryPointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:HttpsEntryPoint", name, {}, opts);
    if (args.clientCrl && !args.clientCaCertificate) throw new Error(`${name}: a client-certificate revocation list (clientCrl) needs clientCaCertificate`);
    const { certPem, privateKeyPem } = args.pairNode
      ? { certPem: pulumi.output(args.pairNode.certificatePem), privateKeyPem: pulumi.output(args.pairNode.privateKeyPem) }
      : entryCertificate(name, args.dnsNames, this);
    const spec: HaproxyConfigSpec = {
      ...httpsEntrySpec({ ...args, dockerDns: true }),
      // keepalived's check reaches the monitor through the port published on the host's 127.0.0.1, which Docker
      // forwards to the container's own address, never its loopback: bound to 127.0.0.1 the check never passed
      // and no node took the VIP (seen on the first run on real engines, bench/hostsEnginesProof.ts)
      ...(args.pairNode?.monitorHostPort !== undefined ? { monitorAddress: "*" } : {}),
    };
    this.config = renderEntryConfig(spec, args);
    const configHoldsSecrets = Boolean(args.basicAuth || args.webServiceToken);
    const uploads: docker.types.input.ContainerUpload[] = [
      { file: `${DIR}/haproxy.cfg`, content: configHoldsSecrets ? pulumi.secret(this.config) : this.config },
      { file: `${DIR}/tls/server.pem`, content: pulumi.secret(pulumi.interpolate`${certPem}${privateKeyPem}`) },
    ];
    if (args.clientCaCertificate) uploads.push({ file: `${DIR}/tls/client-ca.crt`, content: args.clientCaCertificate });
    if (args.clientCaCertificate && args.clientCrl) uploads.push({ file: `${DIR}/tls/client-ca.crl`, content: args.clientCrl });
    if (args.ipAllowList) uploads.push({ file: `${DIR}/allow.lst`, content: renderAllowList(args.ipAllowList) });
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${MONITOR_PORT} && printf 'GET /haproxy-health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3`;
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        ports: [
          { internal: ENTRY_INTERNAL_PORT, external: args.publishedPort, ...(args.behindHostEntry ? { ip: BEHIND_HOST_ENTRY_ADDRESS } : {}) },
          ...(args.pairNode?.monitorHostPort !== undefined ? [{ internal: MONITOR_PORT, external: args.pairNode.monitorHostPort, ip: "127.0.0.1" }] : []),
        ],
        uploads,
        restart: RESTART_POLICY,
        healthcheck: healthcheck(["CMD", "bash", "-c", probe], 5),
        ...waitUntilHealthy(),
        memory: 256,
        cpuShares: 512,
        labels: labels({ ...args.owner, "lchost.role": "https-entry-point" }),
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["uploads"] },
    );
    this.endpoint = pulumi.output(`https://${args.dnsNames[0]}:${args.publishedPort}`);
    this.certificatePem = certPem;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
