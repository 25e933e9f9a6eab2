import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { labelValue, roleOf } from "../support/containerFacts";

const DOCKER_SOCKET = /(^|\/)docker\.sock$|^\/var\/run\/docker(\/|$)|^\/run\/docker(\/|$)/;

/**
 * The heal service of an operations stack (role heal, label lchost.operations) acts through the Docker engine, so
 * it alone may mount the socket — and then publishes no port: it is reached only on the operations network.
 */
function socketAllowed(c: any): boolean {
  return roleOf(c) === "heal" && labelValue(c, "lchost.operations") !== undefined && !(Array.isArray(c.ports) && c.ports.length > 0);
}

/**
 * No container may escape to the host: not privileged, not in the host's network, PID or IPC
 * namespace, without the Docker socket. On a shared server this is what keeps tenants apart; the
 * rule holds for every container because none of ours needs it (an FSB device is passed as a device) — except
 * keepalived of an HA balancer pair (role vrrp): the host's network and NET_ADMIN (the VIP is the host's address),
 * nothing else; NET_ADMIN on any other container is refused; and the operations stack's heal service: the Docker
 * socket (it recreates and restarts customers' containers), with no published port, nothing else.
 */
export const containerNoHostAccess: ResourceValidationPolicy = {
  name: "container-no-host-access",
  description: "No privileged container, host network, host PID/IPC namespace or Docker socket mount (the heal service's socket aside).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const name = c.name ?? args.name;
    if (c.privileged === true) reportViolation(`container '${name}' is privileged (privileged: true)`);
    const adds: string[] = c.capabilities?.adds ?? [];
    // keepalived of a balancer pair (docs/hosts.md): the VIP is an address of the host, so it needs the host's
    // network and NET_ADMIN, and nothing more of the host
    const vrrp = roleOf(c) === "vrrp" && adds.every((cap) => /^(CAP_)?NET_ADMIN$/i.test(cap));
    if (c.networkMode === "host" && !vrrp) reportViolation(`container '${name}' uses the host's network (networkMode: host)`);
    for (const cap of adds) {
      if (/^(CAP_)?NET_ADMIN$/i.test(cap) && roleOf(c) !== "vrrp") reportViolation(`container '${name}' adds capability ${cap}`);
    }
    if (c.pidMode === "host") reportViolation(`container '${name}' shares the host's PIDs (pidMode: host)`);
    if (c.ipcMode === "host") reportViolation(`container '${name}' shares the host's IPC (ipcMode: host)`);
    if (c.usernsMode === "host") reportViolation(`container '${name}' disables user namespaces (usernsMode: host)`);
    const heal = socketAllowed(c);
    const why = roleOf(c) === "heal" && !heal ? "; only the operations stack's heal service may, and it publishes no port" : "";
    for (const v of Array.isArray(c.volumes) ? c.volumes : []) {
      if (typeof v?.hostPath === "string" && DOCKER_SOCKET.test(v.hostPath) && !heal)
        reportViolation(`container '${name}' mounts the Docker socket (volumes hostPath ${v.hostPath})${why}`);
    }
    for (const m of Array.isArray(c.mounts) ? c.mounts : []) {
      if (typeof m?.source === "string" && DOCKER_SOCKET.test(m.source) && !heal)
        reportViolation(`container '${name}' mounts the Docker socket (mounts source ${m.source})${why}`);
    }
    for (const cap of c.capabilities?.adds ?? []) {
      if (/^(CAP_)?(ALL|SYS_ADMIN)$/i.test(cap)) reportViolation(`container '${name}' adds capability ${cap}`);
    }
  }),
};
