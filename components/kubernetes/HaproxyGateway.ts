import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { GatewayLimits, HaproxyBackend, renderAllowList } from "../../haproxy";
import type { KubernetesServiceType } from "../../model/stackConfig";
import { ENTRY_INTERNAL_PORT, ENTRY_PATHS, httpsEntrySpec, renderEntryConfig } from "../HttpsEntryPoint";
import { Owner, resourcesOf, selectorOf, workloadLabels } from "./objectLabels";
import { IMAGE_UIDS, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "./podSecurity";

export interface HaproxyGatewayArgs {
  /** Deployment and Service name (the Docker container's name). */
  name: string;
  namespace: string;
  dnsNames: string[];
  image: pulumi.Input<string>;
  /** The Service's port (lchost:httpsPort). */
  port: number;
  serviceType: KubernetesServiceType;
  /** 2 with required anti-affinity (High Availability), else 1. */
  replicas: number;
  webServices: boolean;
  clientCaCertificate?: string;
  clientCrl?: string;
  ipAllowList?: string[];
  basicAuth?: { username: string; passwordHash: pulumi.Input<string> };
  webServiceToken?: pulumi.Input<string>;
  backends: HaproxyBackend[];
  limits: GatewayLimits;
  /** Web-service requests per second per client address (lchost:balancing.rateLimit); more get 429. */
  webServiceRateLimit?: { requestsPerSecond: number };
  size: { memoryMb: number; cpuMillis: number };
  owner: Owner;
  /** Created after these (the namespace): Kubernetes refuses objects in a namespace that does not exist yet. */
  after?: pulumi.Resource[];
}

/**
 * HAProxy as the HTTPS entry point on Kubernetes, running the haproxy.cfg the Docker gateway runs (the same
 * spec and renderer; only Docker's DNS resolver is left out — servers are Services here). The config sits in
 * a Secret when it holds secrets (the basic-auth hash, the web-service token), else in a ConfigMap; the
 * public files (client CA, CRL, allow list) in a ConfigMap, certificate and key in a Secret. Behind a Service
 * of lchost:kubernetes.serviceType; LoadBalancer and NodePort keep the client's source address
 * (externalTrafficPolicy: Local), so the allow list and the per-source limits see the real client.
 */
export class HaproxyGateway extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly config: pulumi.Output<string>;
  readonly certificatePem: pulumi.Output<string>;

  constructor(name: string, args: HaproxyGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:HaproxyGateway", name, {}, opts);
    if (args.clientCrl && !args.clientCaCertificate) throw new Error(`${name}: a client-certificate revocation list (clientCrl) needs clientCaCertificate`);
    const o = { parent: this, dependsOn: args.after ?? [] };
    const labels = workloadLabels(args.owner, "https-entry-point", args.name, "haproxy");
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
    const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, o);
    const cert = new tls.SelfSignedCert(
      `${name}-tls-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: args.dnsNames[0], organization: "lchost" },
        dnsNames: args.dnsNames,
        validityPeriodHours: 24 * 365,
        earlyRenewalHours: 24 * 30,
        allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
      },
      o,
    );
    // the kubelet's probes reach the pod's address, never its loopback: the monitor listens on every address (it is in
    // no Service, so only the kubelet and the pod's neighbours reach it)
    const spec = { ...httpsEntrySpec({ ...args, dockerDns: false }), monitorAddress: "*" };
    this.config = renderEntryConfig(spec, args);
    const configHoldsSecrets = Boolean(args.basicAuth || args.webServiceToken);
    const file = (path: string) => path.slice(ENTRY_PATHS.dir.length + 1).replace(/\//g, "-");
    const publicFiles: Record<string, string> = {};
    if (args.clientCaCertificate) publicFiles[file(ENTRY_PATHS.clientCa)] = args.clientCaCertificate;
    if (args.clientCaCertificate && args.clientCrl) publicFiles[file(ENTRY_PATHS.clientCrl)] = args.clientCrl;
    if (args.ipAllowList) publicFiles[file(ENTRY_PATHS.allowList)] = renderAllowList(args.ipAllowList);
    const secretFiles: Record<string, pulumi.Input<string>> = {
      [file(ENTRY_PATHS.certificate)]: pulumi.secret(pulumi.interpolate`${cert.certPem}${key.privateKeyPem}`),
    };
    if (configHoldsSecrets) secretFiles[file(ENTRY_PATHS.config)] = pulumi.secret(this.config);
    else publicFiles[file(ENTRY_PATHS.config)] = this.config as unknown as string;
    const filesName = `${args.name}-files`;
    const secretsName = `${args.name}-secrets`;
    const dependsOn: pulumi.Resource[] = [
      new k8s.core.v1.Secret(`${name}-secrets`, { metadata: meta(secretsName), type: "Opaque", stringData: secretFiles }, o),
    ];
    if (Object.keys(publicFiles).length > 0) dependsOn.push(new k8s.core.v1.ConfigMap(`${name}-files`, { metadata: meta(filesName), data: publicFiles }, o));
    // each file back at its Docker path: the rendered config names these paths
    const sources: Array<Record<string, unknown>> = [
      { secret: { name: secretsName, items: Object.keys(secretFiles).map((k) => ({ key: k, path: pathOfKey(k) })) } },
    ];
    if (Object.keys(publicFiles).length > 0)
      sources.push({ configMap: { name: filesName, items: Object.keys(publicFiles).map((k) => ({ key: k, path: pathOfKey(k) })) } });
    const probe = (failureThreshold: number) => ({
      httpGet: { path: "/haproxy-health", port: ENTRY_PATHS.monitorPort },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold,
    });
    new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta(args.name),
        spec: {
          replicas: args.replicas,
          selector: selectorOf(args.name),
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(IMAGE_UIDS.haproxy),
              ...(args.replicas > 1
                ? {
                    affinity: {
                      podAntiAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selectorOf(args.name), topologyKey: "kubernetes.io/hostname" }],
                      },
                    },
                  }
                : {}),
              containers: [
                {
                  name: "haproxy",
                  image: args.image,
                  command: ["haproxy", "-W", "-db", "-f", ENTRY_PATHS.config],
                  ports: [{ name: "https", containerPort: ENTRY_INTERNAL_PORT }],
                  readinessProbe: probe(2),
                  livenessProbe: probe(6),
                  resources: resourcesOf(args.size),
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [
                    { name: "haproxy-files", mountPath: ENTRY_PATHS.dir, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [{ name: "haproxy-files", projected: { defaultMode: 0o440, sources } }, scratchVolume("tmp")],
            },
          },
        },
      },
      { parent: this, dependsOn: [...(args.after ?? []), ...dependsOn] },
    );
    if (args.replicas > 1) {
      new k8s.policy.v1.PodDisruptionBudget(name, { metadata: meta(args.name), spec: { minAvailable: 1, selector: selectorOf(args.name) } }, o);
    }
    new k8s.core.v1.Service(
      name,
      {
        metadata: meta(args.name),
        spec: {
          type: args.serviceType,
          // the client's own address reaches HAProxy (allow list, per-source limits); ClusterIP has no external traffic
          ...(args.serviceType === "ClusterIP" ? {} : { externalTrafficPolicy: "Local" }),
          selector: selectorOf(args.name).matchLabels,
          ports: [{ name: "https", port: args.port, targetPort: ENTRY_INTERNAL_PORT, protocol: "TCP" }],
        },
      },
      o,
    );
    this.endpoint = pulumi.output(`https://${args.dnsNames[0]}:${args.port}`);
    this.certificatePem = cert.certPem;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}

/** ConfigMap/Secret keys cannot hold '/': tls/server.pem is stored as tls-server.pem and mounted back at tls/server.pem. */
function pathOfKey(key: string): string {
  return key.startsWith("tls-") ? `tls/${key.slice(4)}` : key;
}
