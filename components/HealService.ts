import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { HEAL_SERVICE_PATHS, HEAL_SERVICE_PORT, renderHealServiceConfig } from "../render/heal/serviceConfig";
import { OperationsContainerArgs, operationsContainer } from "./operationsContainer";

/** The heal service's command line in its image (heal/Dockerfile): Debian's node and the toolkit's own CLI. */
export const HEAL_COMMAND = ["node", "/app/dist/cli/main.js", "heal", "serve", "--config", HEAL_SERVICE_PATHS.config];
/** Where the Docker engine's socket is on the host (bind-mounted into the heal container). */
export const HOST_DOCKER_SOCKET = "/var/run/docker.sock";

export interface HealServiceArgs extends OperationsContainerArgs {
  /** Its own MariaDB (the audit table heal_actions): container name, schema, user and password (secret). */
  database: { host: string; port: number; name: string; user: string; password: pulumi.Input<string>; container?: pulumi.Resource };
  /** Alertmanager's base URL on the operations network: HealAction / HealGaveUp go there. */
  alertmanagerUrl: string;
  /** Plan and audit only (lchost:heal.dryRun). */
  dryRun: boolean;
  /** Its HTTPS server certificate and key, issued by the heal CA for its container name (key: secret). */
  serverCertificate: pulumi.Input<string>;
  serverKey: pulumi.Input<string>;
  /** The heal CA's certificate: a client certificate must be issued by it (Alertmanager's is). */
  clientCa: pulumi.Input<string>;
  /** The bearer token Alertmanager presents (secret). */
  token: pulumi.Input<string>;
  /** Absolute host paths bind-mounted read-write: `lchost up --target docker`'s state directory and the stack files. */
  stateDir: pulumi.Input<string>;
  stacksDir: pulumi.Input<string>;
}

/**
 * The heal service (`lchost heal serve`, docs/self-healing.md): Alertmanager's trigger alerts in over HTTPS (client
 * certificate of the heal CA + bearer token), playbooks out through the Docker engine. It needs the engine's socket,
 * which is root on the host: it joins only the operations network, publishes no port, and its secret files are
 * readable by its own user only.
 */
export class HealService extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** https://<container name>:9097, what alertmanager.yml's heal receiver posts to. */
  readonly url: string;

  constructor(name: string, args: HealServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:HealService", name, {}, opts);
    const p = HEAL_SERVICE_PATHS;
    const db = args.database;
    const config = renderHealServiceConfig({
      database: { host: db.host, port: db.port, user: db.user, name: db.name },
      alertmanagerUrl: args.alertmanagerUrl,
      dryRun: args.dryRun,
    });
    this.container = operationsContainer(
      name,
      args,
      {
        system: "heal",
        entrypoints: HEAL_COMMAND,
        envs: ["NODE_ENV=production"],
        uploads: [
          { file: p.config, content: config, mode: "0400" },
          { file: p.serverCert, content: args.serverCertificate, mode: "0444" },
          { file: p.clientCa, content: args.clientCa, mode: "0444" },
          { file: p.serverKey, content: args.serverKey, secret: true, mode: "0400" },
          { file: p.token, content: args.token, secret: true, mode: "0400" },
          { file: p.databasePassword, content: db.password, secret: true, mode: "0400" },
        ],
        binds: [
          { hostPath: HOST_DOCKER_SOCKET, containerPath: p.dockerSocket },
          { hostPath: args.stateDir, containerPath: p.stateDir },
          { hostPath: args.stacksDir, containerPath: p.stacksDir },
        ],
        port: HEAL_SERVICE_PORT,
        healthTest: healHealthTest(args.hostname),
        // the audit table is created at start and its database may still be starting: up to 60 s
        startPeriodSeconds: 60,
        memoryMb: 256,
        // it creates its audit table at start: created once its database is healthy
        dependsOn: db.container ? [db.container] : undefined,
      },
      this,
    );
    this.url = `https://${args.hostname}:${HEAL_SERVICE_PORT}`;
    this.registerOutputs({ url: this.url });
  }
}

/** /healthz over HTTPS inside the container, verifying the server certificate for its own name against the heal CA. */
export function healHealthTest(hostname: string): string[] {
  const p = HEAL_SERVICE_PATHS;
  return [
    "CMD",
    "curl",
    "-fsS",
    "--max-time",
    "2",
    "-o",
    "/dev/null",
    "--cacert",
    p.clientCa,
    "--resolve",
    `${hostname}:${HEAL_SERVICE_PORT}:127.0.0.1`,
    `https://${hostname}:${HEAL_SERVICE_PORT}/healthz`,
  ];
}

/** What Alertmanager and the heal service trust each other with; keys and the token are Pulumi secrets. */
export interface HealCredentials {
  /** The heal CA's certificate (both sides verify the other against it). */
  caCertificate: pulumi.Output<string>;
  serverCertificate: pulumi.Output<string>;
  serverKey: pulumi.Output<string>;
  clientCertificate: pulumi.Output<string>;
  clientKey: pulumi.Output<string>;
  token: pulumi.Output<string>;
}

const LEAF_VALIDITY = { validityPeriodHours: 24 * 365, earlyRenewalHours: 24 * 30 };

/**
 * The heal CA (its own, used for nothing else), the service's server certificate for its container name, Alertmanager's
 * client certificate, both issued by that CA, and the bearer token. Created once and kept in the stack's state
 * (encrypted); the leaf certificates are renewed by `up` 30 days before they expire.
 */
export function healCredentials(serviceHostname: string, opts: pulumi.CustomResourceOptions): HealCredentials {
  const key = (logical: string) => new tls.PrivateKey(logical, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const caKey = key("heal-ca-key");
  const ca = new tls.SelfSignedCert(
    "heal-ca",
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: "lchost heal CA", organization: "lchost" },
      isCaCertificate: true,
      validityPeriodHours: 24 * 365 * 5,
      earlyRenewalHours: 24 * 90,
      allowedUses: ["cert_signing", "crl_signing"],
    },
    opts,
  );
  const issue = (logical: string, commonName: string, dnsNames: string[], use: "server_auth" | "client_auth") => {
    const k = key(`${logical}-key`);
    const request = new tls.CertRequest(
      `${logical}-request`,
      { privateKeyPem: k.privateKeyPem, subject: { commonName, organization: "lchost" }, dnsNames },
      opts,
    );
    const cert = new tls.LocallySignedCert(
      `${logical}-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        ...LEAF_VALIDITY,
        allowedUses: ["digital_signature", "key_encipherment", use],
      },
      opts,
    );
    return { certPem: cert.certPem, keyPem: pulumi.secret(k.privateKeyPem) };
  };
  const server = issue("heal-server", serviceHostname, [serviceHostname], "server_auth");
  const client = issue("heal-alertmanager-client", "alertmanager", [], "client_auth");
  const token = new random.RandomPassword("heal-token", { length: 40, special: false }, opts);
  return {
    caCertificate: ca.certPem,
    serverCertificate: server.certPem,
    serverKey: server.keyPem,
    clientCertificate: client.certPem,
    clientKey: client.keyPem,
    token: pulumi.secret(token.result),
  };
}
