import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { labels } from "./containerDefaults";

export interface SqlJobArgs {
  hostname: string;
  /** An image with the mariadb client (the database image). */
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  dbHost: pulumi.Input<string>;
  dbPort: number;
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /** Idempotent SQL; a secret, it holds passwords. */
  sql: pulumi.Input<string>;
  owner: Record<string, string>;
}

/**
 * A one-shot container that waits for a database and runs SQL against it: how a Datacenter tenant's
 * schema and user are created on the shared server. Pulumi waits for it to finish (attach); the Docker
 * provider only records the exit code, so `succeeded` checks it and fails the deployment when the SQL
 * failed — whatever is given `succeeded` as an input (the tenant's line) is then never created.
 */
export class SqlJob extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** "exited 0" once the job succeeded; rejects (failing `pulumi up`) with its exit code and output otherwise. Unknown in a preview. */
  readonly succeeded: pulumi.Output<string>;

  constructor(name: string, args: SqlJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:SqlJob", name, {}, opts);
    const script = [
      "set -eu",
      // wait for the server, not for a login: mariadb-admin ping succeeds on a live server even when access is
      // denied, so a wrong password fails at once below instead of after the whole wait
      'for i in $(seq 1 60); do mariadb-admin ping -h "$DB_HOST" -P "$DB_PORT" --connect-timeout=2 >/dev/null 2>&1 && break; sleep 2; done',
      'mariadb -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" < /job/setup.sql',
    ].join("\n");
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        entrypoints: ["/bin/sh", "-c", script],
        envs: [
          pulumi.interpolate`DB_HOST=${args.dbHost}`,
          `DB_PORT=${args.dbPort}`,
          pulumi.interpolate`DB_USER=${args.user}`,
          pulumi.secret(pulumi.interpolate`MYSQL_PWD=${args.password}`),
        ],
        networksAdvanced: args.networks.map((n) => ({ name: n })),
        uploads: [{ file: "/job/setup.sql", content: pulumi.secret(args.sql) }],
        attach: true,
        logs: true,
        mustRun: false,
        restart: "no",
        memory: 128,
        cpuShares: 128,
        labels: labels({ ...args.owner, "lchost.role": "sql-job" }),
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["envs", "uploads"] },
    );
    this.succeeded = checkJobExit(args.hostname, this.container.exitCode, this.container.containerLogs);
    this.registerOutputs({ succeeded: this.succeeded });
  }
}

/** The job's verdict: a non-zero exit code is a deployment error naming the job, its code and its last output. */
export function checkJobExit(job: string, exitCode: pulumi.Input<number | undefined>, logs: pulumi.Input<string | undefined>): pulumi.Output<string> {
  return pulumi.all([exitCode, logs]).apply(([code, output]) => jobVerdict(job, code, output));
}

/** Pure: "exited 0", or a RunError (one line, no stack trace in `pulumi up`) naming the job, its code and last output. */
export function jobVerdict(job: string, code: number | undefined | null, output: string | undefined): string {
  // the mock runtime and engines that do not report it leave the exit code unset: nothing to judge
  if (code === undefined || code === null || code === 0) return "exited 0";
  const tail = (output ?? "").trim().split("\n").slice(-5).join(" | ");
  throw new pulumi.RunError(`SQL job ${job} exited with code ${code}${tail ? `: ${tail}` : ""}; its License Central line is not started`);
}
