import { EDITION_IDS, EditionFacts, EditionId, editionFacts } from "../../model/catalog";

/** The catalog's facts for an edition named by a label or tag; undefined for anything else. */
export function factsOfEdition(edition: string | undefined): EditionFacts | undefined {
  return edition !== undefined && (EDITION_IDS as readonly string[]).includes(edition) ? editionFacts(edition as EditionId) : undefined;
}

/** Editions whose customers share a server with other customers (Datacenter). */
export function sharedServerEditions(): ReadonlySet<string> {
  return new Set(EDITION_IDS.filter((id) => editionFacts(id).includes.sharedServer));
}
