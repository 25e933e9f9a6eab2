import { StackValidationPolicy } from "@pulumi/policy";
import { CONTAINER_TYPE, editionOf, roleOf } from "../support/containerFacts";
import { factsOfEdition } from "../support/editionFacts";

/**
 * An edition with a database cluster (the High Availability Package) runs at least the catalog's
 * minimum of lines and at least its number of database nodes, an odd number so that a Galera
 * partition always leaves a majority.
 */
export const haLinesAndDatabaseNodes: StackValidationPolicy = {
  name: "ha-lines-and-database-nodes",
  description: "High Availability runs at least the catalog's lines (2) and database nodes (3, or 2 + a Galera arbitrator), an odd number of nodes.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const containers = args.resources.filter((r) => r.type === CONTAINER_TYPE);
    const lines = containers.filter((r) => roleOf(r.props) === "license-central");
    const facts = factsOfEdition(lines.length > 0 ? editionOf(lines[0].props) : undefined);
    if (!facts || facts.database.kind !== "cluster") return args.notApplicable("the edition runs no database cluster");
    const nodes = containers.filter((r) => roleOf(r.props) === "database" && editionOf(r.props) === facts.id);
    if (lines.length < facts.lines.min) {
      reportViolation(`${facts.title} runs ${lines.length} License Central line(s); the catalog requires at least ${facts.lines.min} (lchost:lines)`);
    }
    // 2 data nodes + the Galera arbitrator (garbd) on a third host: 3 votes (docs/hosts.md)
    const arbitrators = containers.filter((r) => roleOf(r.props) === "galera-arbitrator" && editionOf(r.props) === facts.id);
    const withArbitrator = nodes.length === 2 && arbitrators.length === 1;
    if (withArbitrator) {
      // three votes, the arbitrator's without data: fine
    } else if (nodes.length < facts.database.nodes) {
      reportViolation(`${facts.title} runs ${nodes.length} database node(s); the catalog requires at least ${facts.database.nodes}`);
    } else if (nodes.length % 2 === 0) {
      reportViolation(`${facts.title} runs ${nodes.length} database nodes; a Galera cluster needs an odd number to keep a majority`);
    }
  },
};
