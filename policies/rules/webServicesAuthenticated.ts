import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { uploadsEndingWith } from "../support/containerFacts";
import { webServiceGuards } from "../../haproxy/parseConfig";

/**
 * Every entry point that routes web services (/ws/) protects them with at least one of: a verified
 * client certificate, an IP allow-list, basic authentication — as enforced by the haproxy.cfg it runs.
 */
export const webServicesAuthenticated: ResourceValidationPolicy = {
  name: "web-services-authenticated",
  description: "Every web-service endpoint needs a client certificate, an IP allow-list or basic authentication.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    for (const f of uploadsEndingWith(c, "/haproxy.cfg")) {
      const g = webServiceGuards(f.content);
      if (!g.deniedOutright && !g.clientCertificate && !g.ipAllowList && !g.basicAuth) {
        reportViolation(
          `${f.file} of '${c.name}' serves /ws/ to anyone; configure at least one of lchost:connection.clientCertificate, ipAllowList, basicAuth`,
        );
      }
    }
  }),
};
