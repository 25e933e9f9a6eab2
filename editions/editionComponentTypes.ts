import { EDITION_IDS, EditionId, editionFacts } from "../model/catalog";

/** The Pulumi type token of an edition's component, from the catalog's component name. */
export function editionComponentType(id: EditionId): string {
  return `lchost:editions:${editionFacts(id).component}`;
}

/**
 * Aliases that make a customer's resources keep their URNs when its edition changes: every edition
 * component answers to the other editions' types, so a container named lc-<customer>-line-1 under
 * DedicatedServer is the same resource under HighPerformance (an update or a replacement in place,
 * never a second container with the same name next to the first).
 */
export function otherEditionAliases(id: EditionId): Array<{ type: string }> {
  return EDITION_IDS.filter((other) => other !== id).map((other) => ({ type: editionComponentType(other) }));
}
