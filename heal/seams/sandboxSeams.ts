/** Every capability the sandbox offers the playbooks (heal/playbook.ts HealSeams). */
import type { SandboxHandle } from "../../sandbox/sandbox";
import type { HealSeams } from "../playbook";
import { FSB_PROBE } from "./fsbProbe";
import { sandboxBalancerControl } from "./sandboxBalancer";
import { sandboxFsbProbe } from "./sandboxFsbProbe";
import { SandboxPartControl } from "./sandboxParts";

export function sandboxSeams(sb: SandboxHandle): HealSeams {
  return { runtime: "sandbox", parts: new SandboxPartControl(sb), balancer: sandboxBalancerControl(sb), [FSB_PROBE]: sandboxFsbProbe(sb) };
}
