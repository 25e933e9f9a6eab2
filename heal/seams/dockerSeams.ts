/** Every capability a Docker deployment offers the playbooks (heal/playbook.ts HealSeams). */
import { DockerEngine } from "../../dockerRun/dockerEngine";
import type { HealSeams } from "../playbook";
import { dockerBalancerControl } from "./dockerBalancer";
import { dockerFsbProbe } from "./dockerFsbProbe";
import { DockerPartControl } from "./dockerParts";
import { FSB_PROBE } from "./fsbProbe";

export function dockerSeams(o: { docker: DockerEngine; stateDir: string }): HealSeams {
  const parts = new DockerPartControl(o);
  return { runtime: "docker", parts, balancer: dockerBalancerControl(o.docker, parts), [FSB_PROBE]: dockerFsbProbe(o.docker) };
}
