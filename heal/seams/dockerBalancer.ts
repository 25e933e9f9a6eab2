/**
 * BalancerControl for Docker deployments: the gateway container's HAProxy admin socket, reached through
 * `docker exec` of the image's perl (fleet/upgrade/entryAdmin.ts: the socket is never published). The socket's
 * path is read from the gateway's planned haproxy.cfg, as the fleet upgrade does.
 */
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { EntryAdmin } from "../../fleet/upgrade/entryAdmin";
import { adminSocketPath } from "../../haproxy/parseConfig";
import { HaproxyBalancerControl } from "./balancerLines";
import type { DockerPartControl } from "./dockerParts";

export function dockerBalancerControl(docker: DockerEngine, parts: Pick<DockerPartControl, "plannedSpec">): HaproxyBalancerControl {
  return new HaproxyBalancerControl((customer, command) => {
    const spec = parts.plannedSpec({ customer, role: "gateway" });
    const cfg = spec.uploads.find((u) => u.file.endsWith("/haproxy.cfg"));
    const socket = cfg && adminSocketPath(cfg.content);
    if (!socket) throw new Error(`${spec.name}: its planned haproxy.cfg has no admin socket`);
    return new EntryAdmin(docker, spec.name, socket).command(command);
  });
}
