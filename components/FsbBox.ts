import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";
import { dockerEnvs, fsbEmulatorEnv, FSB_HEALTH, httpHealthCommand } from "./serviceEnv";
import { FSB_DEFAULTS } from "../fsb-emulator/src/env";

export interface FsbBoxArgs {
  /** Container name, also its DNS name on the networks. */
  hostname: string;
  image: pulumi.Input<string>;
  networks: pulumi.Input<string>[];
  /** Volume holding the firms' key pairs; kept on delete: losing keys invalidates issued licenses. */
  keysVolumeName: string;
  firmTokens: Array<[firm: string, token: pulumi.Input<string>]>;
  signLatencyMs: number;
  /** A real box on the host, passed through (mode device). */
  devicePath?: string;
  owner: Record<string, string>;
}

/** A Firm Security Box: the emulator, or the vendor's FSB service with the real device passed through. */
export class FsbBox extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly container: docker.Container;

  constructor(name: string, args: FsbBoxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:FsbBox", name, {}, opts);
    const keys = new docker.Volume(`${name}-keys`, { name: args.keysVolumeName, labels: labels(args.owner) }, { parent: this, retainOnDelete: true });
    this.container = new docker.Container(
      name,
      {
        name: args.hostname,
        image: args.image,
        envs: dockerEnvs(fsbEmulatorEnv({ signLatencyMs: args.signLatencyMs, firmTokens: args.firmTokens })),
        networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
        volumes: [{ volumeName: keys.name, containerPath: FSB_DEFAULTS.dataDir }],
        devices: args.devicePath ? [{ hostPath: args.devicePath, containerPath: args.devicePath, permissions: "rw" }] : undefined,
        restart: RESTART_POLICY,
        healthcheck: healthcheck(httpHealthCommand(FSB_HEALTH.port, FSB_HEALTH.path)),
        ...waitUntilHealthy(),
        memory: 256,
        cpuShares: 512,
        labels: labels({ ...args.owner, "lchost.role": "fsb" }),
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["envs"] },
    );
    this.url = pulumi.output(`http://${args.hostname}:${FSB_HEALTH.port}`);
    this.registerOutputs({ url: this.url });
  }
}
