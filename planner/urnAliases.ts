import type { PlannedResource } from "./mockPlanner";

/**
 * The URNs under which the engine would find a resource's old state, as it resolves aliases: a resource
 * answers to its own URN and, for every ancestor (itself included) that declares aliases with another
 * type, to the URN with that type in the ancestor's place of the type chain — children inherit their
 * parents' aliases. So High Performance → High Availability matches `…HighPerformance$random:…::db-password`
 * to `…HighAvailabilityPackage$random:…::db-password` (an update, not delete + create).
 *
 * URN form: `urn:pulumi:<stack>::<project>::<T1>$<T2>$…$<Tn>::<name>`, where T1…Tn are the types of the
 * resource's ancestors (outermost first) and its own.
 */
export function aliasUrns(resource: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>): string[] {
  const parts = splitUrn(resource.urn);
  if (!parts) return [resource.urn];
  // the ancestor chain, outermost first, to the resource itself: each position's alternative types
  const chain: PlannedResource[] = [];
  for (let r: PlannedResource | undefined = resource; r; r = r.parent ? byUrn.get(r.parent) : undefined) chain.unshift(r);
  if (chain.length !== parts.types.length) return [resource.urn]; // a parent outside the plan: no alias to resolve
  let variants: string[][] = [[]];
  chain.forEach((r, i) => {
    const types = [parts.types[i], ...r.aliasTypes.filter((t) => t !== parts.types[i])];
    variants = variants.flatMap((v) => types.map((t) => [...v, t]));
  });
  return variants.map((types) => `${parts.prefix}::${types.join("$")}::${parts.name}`);
}

/** Pure: a URN's prefix (`urn:pulumi:<stack>::<project>`), type chain and name; undefined for another form. */
export function splitUrn(urn: string): { prefix: string; types: string[]; name: string } | undefined {
  const m = /^(urn:pulumi:[^:]*::[^:]*)::(.+?)::(.*)$/.exec(urn); // types hold no "::", so the chain ends at the first one
  if (!m) return undefined;
  return { prefix: m[1], types: m[2].split("$"), name: m[3] };
}
