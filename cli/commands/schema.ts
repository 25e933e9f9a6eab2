import { stackFileSchema } from "../../model/stackConfigSchema";

/** Prints the JSON Schema of a stack file (shipped as schemas/stack-file.schema.json for editors). */
export async function schemaCommand(_argv: string[], out: (s: string) => void): Promise<number> {
  out(JSON.stringify(stackFileSchema(), null, 2));
  return 0;
}
