import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LC_READY_PATH } from "../../license-central/src/env";
import { licenseCentralEnv, LicenseCentralSettings, LC_HEALTH, LC_PORT } from "../serviceEnv";
import { Owner, resourcesOf, selectorOf, workloadLabels } from "./objectLabels";
import { IMAGE_UIDS, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "./podSecurity";
import { kubernetesEnv } from "./secretEnv";

export interface LicenseCentralDeploymentArgs {
  /** Deployment and Service name (the Docker container's name: the gateway's haproxy.cfg names it so). */
  name: string;
  namespace: pulumi.Input<string>;
  image: pulumi.Input<string>;
  settings: LicenseCentralSettings;
  size: { memoryMb: number; cpuMillis: number };
  owner: Owner;
  /** Created after these (the namespace): Kubernetes refuses objects in a namespace that does not exist yet. */
  after?: pulumi.Resource[];
}

/**
 * One License Central line: a Deployment of one pod (stateless; the database holds the state) with its
 * environment from the service's env contract — secrets by secretKeyRef from the line's own Secret —
 * readiness /readyz, liveness /healthz, and a ClusterIP Service the gateway reaches it by.
 */
export class LicenseCentralDeployment extends pulumi.ComponentResource {
  readonly host: string;
  readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: LicenseCentralDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:LicenseCentralDeployment", name, {}, opts);
    const o = { parent: this, dependsOn: args.after ?? [] };
    const labels = workloadLabels(args.owner, "license-central", args.name, "license-central");
    const secretName = `${args.name}-env`;
    const { env, secretData } = kubernetesEnv(licenseCentralEnv(args.settings), secretName);
    const secret = new k8s.core.v1.Secret(
      `${name}-env`,
      { metadata: { name: secretName, namespace: args.namespace, labels }, type: "Opaque", stringData: secretData },
      o,
    );
    const probe = (path: string, failureThreshold: number) => ({
      httpGet: { path, port: LC_HEALTH.port },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold,
    });
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
          replicas: 1,
          selector: selectorOf(args.name),
          // one surge pod at a time, none taken down before its successor is ready (the quota leaves room for it)
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(IMAGE_UIDS.licenseCentral),
              containers: [
                {
                  name: "license-central",
                  image: args.image,
                  env,
                  ports: [{ name: "http", containerPort: LC_PORT }],
                  readinessProbe: probe(LC_READY_PATH, 2),
                  livenessProbe: probe(LC_HEALTH.path, 6),
                  resources: resourcesOf(args.size),
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [scratchVolume("tmp")],
            },
          },
        },
      },
      { parent: this, dependsOn: [...(args.after ?? []), secret] },
    );
    new k8s.core.v1.Service(
      name,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: { type: "ClusterIP", selector: selectorOf(args.name).matchLabels, ports: [{ name: "http", port: LC_PORT, targetPort: LC_PORT }] },
      },
      o,
    );
    this.host = args.name;
    this.registerOutputs({ host: this.host });
  }
}
