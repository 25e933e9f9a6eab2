import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Owner, resourcesOf, workloadLabels } from "./objectLabels";
import { IMAGE_UIDS, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "./podSecurity";

export interface SqlSetupJobArgs {
  name: string;
  namespace: string;
  /** An image with the mariadb client (the database image). */
  image: pulumi.Input<string>;
  dbHost: pulumi.Input<string>;
  dbPort: number;
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /** Idempotent SQL; a secret, it holds passwords. */
  sql: pulumi.Input<string>;
  size: { memoryMb: number; cpuMillis: number };
  owner: Owner;
  after?: pulumi.Resource[];
}

/**
 * The Kubernetes form of components/SqlJob.ts: a Job that waits for the database and runs the SQL (from a
 * Secret, with the password from a Secret). Pulumi waits for the Job to complete and fails the deployment
 * when it does not, so the tenant's line (which depends on it) is never started against a missing schema.
 */
export class SqlSetupJob extends pulumi.ComponentResource {
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: SqlSetupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:SqlSetupJob", name, {}, opts);
    const labels = workloadLabels(args.owner, "sql-job", args.name, "mariadb-client");
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
    const secretName = `${args.name}-sql`;
    const secret = new k8s.core.v1.Secret(
      `${name}-sql`,
      { metadata: meta(secretName), type: "Opaque", stringData: { "setup.sql": pulumi.secret(args.sql), MYSQL_PWD: pulumi.secret(args.password) } },
      { parent: this, dependsOn: args.after ?? [] },
    );
    const script = [
      "set -eu",
      'for i in $(seq 1 60); do mariadb-admin ping -h "$DB_HOST" -P "$DB_PORT" --connect-timeout=2 >/dev/null 2>&1 && break; sleep 2; done',
      'mariadb -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" < /job/setup.sql',
    ].join("\n");
    this.job = new k8s.batch.v1.Job(
      name,
      {
        metadata: meta(args.name),
        spec: {
          backoffLimit: 3,
          activeDeadlineSeconds: 600,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(IMAGE_UIDS.mariadb),
              containers: [
                {
                  name: "sql",
                  image: args.image,
                  command: ["/bin/sh", "-c", script],
                  env: [
                    { name: "DB_HOST", value: args.dbHost },
                    { name: "DB_PORT", value: String(args.dbPort) },
                    { name: "DB_USER", value: args.user },
                    { name: "MYSQL_PWD", valueFrom: { secretKeyRef: { name: secretName, key: "MYSQL_PWD" } } },
                  ],
                  resources: resourcesOf(args.size),
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [
                    { name: "sql", mountPath: "/job", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [{ name: "sql", secret: { secretName, items: [{ key: "setup.sql", path: "setup.sql" }], defaultMode: 0o440 } }, scratchVolume("tmp")],
            },
          },
        },
      },
      { parent: this, dependsOn: [...(args.after ?? []), secret] },
    );
    this.registerOutputs({});
  }
}
