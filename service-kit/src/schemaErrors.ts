import type { FastifySchemaValidationError } from "fastify/types/schema";

/** `/items/1/productCode` -> `items[1].productCode`; "" -> the part of the request (body, querystring, params). */
export function fieldOf(instancePath: string, root: string, child?: string): string {
  const parts = instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || root;
}

/**
 * The first ajv error of a request as the field at fault and what is wrong with it, in the words of the schema's
 * `description` (ajv runs with `verbose: true`, so the failing schema travels with the error). Each service turns
 * it into its own answer (a 400, or a 404 for a path parameter).
 */
export function firstSchemaProblem(errors: FastifySchemaValidationError[], root: string): { field: string; reason: string } {
  const e = errors[0] as FastifySchemaValidationError & { parentSchema?: { description?: string; properties?: Record<string, { description?: string }> } };
  if (!e) return { field: root, reason: "is invalid" };
  const params = (e.params ?? {}) as Record<string, unknown>;
  if (e.keyword === "required") {
    const missing = String(params.missingProperty);
    return { field: fieldOf(e.instancePath, root, missing), reason: e.parentSchema?.properties?.[missing]?.description ?? "is required" };
  }
  if (e.keyword === "additionalProperties") return { field: fieldOf(e.instancePath, root, String(params.additionalProperty)), reason: "unknown field" };
  return { field: fieldOf(e.instancePath, root), reason: e.parentSchema?.description ?? String(e.message ?? "is invalid") };
}
