import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { uploadsEndingWith } from "../support/containerFacts";
import { haproxyBinds, webServiceGuards } from "../../haproxy/parseConfig";

/** Basic-auth passwords travel in every request: the frontend that asks for them accepts TLS only. */
export const basicAuthOnlyOverTls: ResourceValidationPolicy = {
  name: "basic-auth-only-over-tls",
  description: "Basic authentication is only offered on frontends whose every bind is TLS.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    for (const f of uploadsEndingWith(c, "/haproxy.cfg")) {
      if (!webServiceGuards(f.content).basicAuth) continue;
      for (const b of haproxyBinds(f.content).filter((x) => x.frontend === "https" && !x.tls)) {
        reportViolation(`${f.file} of '${c.name}' asks for basic authentication on ${b.address}:${b.port} without TLS`);
      }
    }
  }),
};
