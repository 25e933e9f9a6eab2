import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isHostAddressPort, uploadsEndingWith } from "../support/containerFacts";
import { publicBinds } from "../../haproxy/parseConfig";

/**
 * Only TLS is published: a container may publish a port only when the haproxy.cfg it runs binds that
 * port with `ssl crt`. Plain-HTTP binds on ports the container does not publish (the Prometheus
 * listener, reached over the container network only) are not published endpoints, nor are the ports the parts of
 * a stack spread over hosts publish on one address of their host for its other hosts (isHostAddressPort).
 */
export const publishedEndpointsTlsOnly: ResourceValidationPolicy = {
  name: "published-endpoints-tls-only",
  description: "Every published port is served by HAProxy with TLS (bind ... ssl crt); nothing else is published.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const ports: any[] = Array.isArray(c.ports) ? c.ports : [];
    if (ports.length === 0) return;
    const binds = uploadsEndingWith(c, "/haproxy.cfg").flatMap((f) => publicBinds(f.content));
    // a port published on one address of its host only (isHostAddressPort: HAProxy's monitor on 127.0.0.1 for keepalived) is no endpoint
    const published = new Set(ports.filter((p) => !isHostAddressPort(c, p)).map((p) => p.internal));
    for (const b of binds.filter((x) => !x.tls && published.has(x.port))) {
      reportViolation(`haproxy.cfg of '${c.name}' binds ${b.address}:${b.port} (frontend ${b.frontend}) without TLS ('ssl crt')`);
    }
    for (const p of ports) {
      // between the hosts of one stack, on a host's own address (the host firewall opens it to those hosts only)
      if (isHostAddressPort(c, p)) continue;
      const served = binds.find((b) => b.port === p.internal);
      if (!served) reportViolation(`'${c.name}' publishes port ${p.external ?? "(any)"}->${p.internal}, which no TLS bind of an uploaded haproxy.cfg serves`);
    }
  }),
};
