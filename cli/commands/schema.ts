import { stackConfigSchema } from "../../model/stackConfigSchema";

/** Prints the JSON Schema of the lchost: stack keys (for editors; also shipped as schemas/stack-config.schema.json). */
export async function schemaCommand(_argv: string[], out: (s: string) => void): Promise<number> {
  out(JSON.stringify(stackConfigSchema, null, 2));
  return 0;
}
