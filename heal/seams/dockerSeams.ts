/** Every capability a Docker deployment offers the playbooks (heal/playbook.ts HealSeams). */
import { DockerEngine } from "../../dockerRun/dockerEngine";
import type { HealSeams } from "../playbook";
import { dockerBalancerControl } from "./dockerBalancer";
import { dockerFsbProbe } from "./dockerFsbProbe";
import { DockerPartControl } from "./dockerParts";
import { FSB_PROBE } from "./fsbProbe";

export function dockerSeams(o: { docker: DockerEngine; stateDir: string }): HealSeams {
  return { runtime: "docker", parts: new DockerPartControl(o), balancer: dockerBalancerControl(o.docker), [FSB_PROBE]: dockerFsbProbe(o.docker) };
}
