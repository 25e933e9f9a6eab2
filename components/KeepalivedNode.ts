import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { KeepalivedNodeFiles } from "../keepalived/renderKeepalived";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";

/** Where the keepalived container keeps its files (the check script's path is in keepalived.conf). */
export const KEEPALIVED_PATHS = {
  config: "/etc/keepalived/keepalived.conf",
  checkScript: "/etc/keepalived/haproxy-serving.sh",
  pidFile: "/run/keepalived.pid",
} as const;

export interface KeepalivedNodeArgs {
  /** Container name. */
  hostname: string;
  image: pulumi.Input<string>;
  /** This node's rendered files (renderKeepalivedPair). */
  files: KeepalivedNodeFiles;
  owner: Record<string, string>;
}

/**
 * keepalived of one balancer-pair node (docs/hosts.md, "The balancer pair"): in the host's network namespace with
 * NET_ADMIN — the VIP is added to the host's interface and VRRP adverts leave from the host's address — and
 * nothing else of the host (not privileged, no host PIDs, no mounts). It checks HAProxy on this host through the
 * monitor port the pair's HAProxy publishes on 127.0.0.1.
 */
export class KeepalivedNode extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: KeepalivedNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:KeepalivedNode", name, {}, opts);
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        entrypoints: ["keepalived", "--dont-fork", "--log-console", "--vrrp", `--use-file=${KEEPALIVED_PATHS.config}`, `--pid=${KEEPALIVED_PATHS.pidFile}`],
        networkMode: "host",
        capabilities: { adds: ["NET_ADMIN"] },
        uploads: [
          { file: KEEPALIVED_PATHS.config, content: args.files.keepalivedConf },
          { file: KEEPALIVED_PATHS.checkScript, content: args.files.checkScript, executable: true },
        ],
        restart: RESTART_POLICY,
        // the process is alive; whether this node holds the VIP is VRRP's business, not the health check's
        healthcheck: healthcheck(["CMD", "bash", "-c", `kill -0 "$(cat ${KEEPALIVED_PATHS.pidFile})"`], 5),
        ...waitUntilHealthy(),
        memory: 64,
        cpuShares: 256,
        labels: labels({ ...args.owner, "lchost.role": "vrrp" }),
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
