import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

const DOCKER_SOCKET = /(^|\/)docker\.sock$|^\/var\/run\/docker(\/|$)|^\/run\/docker(\/|$)/;

/**
 * No container may escape to the host: not privileged, not in the host's network, PID or IPC
 * namespace, without the Docker socket. On a shared server this is what keeps tenants apart; the
 * rule holds for every container because none of ours needs it (an FSB device is passed as a device).
 */
export const containerNoHostAccess: ResourceValidationPolicy = {
  name: "container-no-host-access",
  description: "No privileged container, host network, host PID/IPC namespace or Docker socket mount.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const name = c.name ?? args.name;
    if (c.privileged === true) reportViolation(`container '${name}' is privileged (privileged: true)`);
    if (c.networkMode === "host") reportViolation(`container '${name}' uses the host's network (networkMode: host)`);
    if (c.pidMode === "host") reportViolation(`container '${name}' shares the host's PIDs (pidMode: host)`);
    if (c.ipcMode === "host") reportViolation(`container '${name}' shares the host's IPC (ipcMode: host)`);
    if (c.usernsMode === "host") reportViolation(`container '${name}' disables user namespaces (usernsMode: host)`);
    for (const v of Array.isArray(c.volumes) ? c.volumes : []) {
      if (typeof v?.hostPath === "string" && DOCKER_SOCKET.test(v.hostPath))
        reportViolation(`container '${name}' mounts the Docker socket (volumes hostPath ${v.hostPath})`);
    }
    for (const m of Array.isArray(c.mounts) ? c.mounts : []) {
      if (typeof m?.source === "string" && DOCKER_SOCKET.test(m.source))
        reportViolation(`container '${name}' mounts the Docker socket (mounts source ${m.source})`);
    }
    for (const cap of c.capabilities?.adds ?? []) {
      if (/^(CAP_)?(ALL|SYS_ADMIN)$/i.test(cap)) reportViolation(`container '${name}' adds capability ${cap}`);
    }
  }),
};
