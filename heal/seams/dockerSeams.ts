/** Every capability a Docker deployment offers the playbooks (heal/playbook.ts HealSeams). */
import { DockerEngine } from "../../dockerRun/dockerEngine";
import type { HealSeams } from "../playbook";
import type { Pager } from "../playbooks/galeraFullRecovery";
import { dockerBalancerControl } from "./dockerBalancer";
import { dockerFsbProbe } from "./dockerFsbProbe";
import { DockerLineControl } from "./dockerLines";
import { DockerPartControl } from "./dockerParts";
import { FSB_PROBE } from "./fsbProbe";
import { DockerGaleraControl } from "./galera";
import { DockerLineDatabaseControl } from "./lineDatabase";
import { LINES_SEAM } from "./lines";

export interface DockerSeamsOptions {
  docker: DockerEngine;
  /** Where `lchost up --target docker` keeps the deployed plans. */
  stateDir: string;
  /** The deployed stack files: with it, the extra-lines capability (`seams.lines`). */
  stacksDir?: string;
  /** Tells on-call when a playbook refuses to act (Galera: no founder can be chosen safely). */
  pager?: Pager;
}

export function dockerSeams(o: DockerSeamsOptions): HealSeams {
  const parts = new DockerPartControl(o);
  return {
    runtime: "docker",
    parts,
    balancer: dockerBalancerControl(o.docker, parts),
    [FSB_PROBE]: dockerFsbProbe(o.docker),
    galera: new DockerGaleraControl(o.docker),
    lineDatabase: new DockerLineDatabaseControl(o.docker),
    ...(o.stacksDir ? { [LINES_SEAM]: new DockerLineControl({ stateDir: o.stateDir, stacksDir: o.stacksDir, docker: o.docker }) } : {}),
    ...(o.pager ? { pager: o.pager } : {}),
  };
}
