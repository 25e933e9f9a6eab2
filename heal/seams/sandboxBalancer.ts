/** BalancerControl for the sandbox: the customer's gateway (or shared entry) HAProxy admin socket. */
import type { SandboxHandle } from "../../sandbox/sandbox";
import { HaproxyBalancerControl } from "./balancerLines";

export function sandboxBalancerControl(sb: Pick<SandboxHandle, "endpoints" | "haproxyCommand">): HaproxyBalancerControl {
  return new HaproxyBalancerControl((customer, command) => {
    const gw = sb.endpoints[customer]?.gateway;
    if (!gw) throw new Error(`the sandbox has no gateway for ${customer}`);
    return sb.haproxyCommand(gw.process, command);
  });
}
