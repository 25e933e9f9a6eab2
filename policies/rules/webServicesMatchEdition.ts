import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { EDITION_IDS, editionFacts } from "../../model/catalog";
import { LC_ENV } from "../../license-central/src/env";
import { editionOf, envMap, roleOf, sharedServerOf, uploadsEndingWith } from "../support/containerFacts";
import { factsOfEdition } from "../support/editionFacts";
import { webServiceGuards } from "../../haproxy/parseConfig";

/** A shared server serves only editions that share a server; they must all be without web services. */
function sharedServerServesWebServices(): boolean {
  return EDITION_IDS.some((id) => editionFacts(id).includes.sharedServer && editionFacts(id).includes.webServices);
}

/**
 * Web services exist only where the edition includes them: License Central's LC_WEB_SERVICES follows
 * the catalog, and an entry point of an edition without them (Datacenter's shared entry point)
 * refuses every /ws/ request in the haproxy.cfg it runs.
 */
export const webServicesMatchEdition: ResourceValidationPolicy = {
  name: "web-services-match-edition",
  description: "No web-service route where the edition has none (LC_WEB_SERVICES, haproxy.cfg denies /ws/).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const role = roleOf(c);
    if (role === "license-central") {
      const facts = factsOfEdition(editionOf(c));
      if (!facts) return;
      const value = envMap(c).get(LC_ENV.webServices);
      if (value !== String(facts.includes.webServices)) {
        reportViolation(
          `${LC_ENV.webServices}=${value ?? "(unset)"} on '${c.name}'; edition ${facts.title} ${facts.includes.webServices ? "includes" : "has no"} web services (allowed: ${facts.includes.webServices})`,
        );
      }
      return;
    }
    if (role !== "https-entry-point") return;
    const facts = factsOfEdition(editionOf(c));
    const mustDeny = sharedServerOf(c) !== undefined ? !sharedServerServesWebServices() : facts !== undefined && !facts.includes.webServices;
    if (!mustDeny) return;
    const what = facts ? `edition ${facts.title}` : `shared server '${sharedServerOf(c)}'`;
    const configs = uploadsEndingWith(c, "/haproxy.cfg");
    if (configs.length === 0) reportViolation(`entry point '${c.name}' of ${what} uploads no haproxy.cfg to prove that /ws/ is refused`);
    for (const f of configs) {
      if (!webServiceGuards(f.content).deniedOutright)
        reportViolation(`${f.file} of '${c.name}' routes /ws/ but ${what} has no web services; it must 'http-request deny ... if web_service'`);
    }
  }),
};
