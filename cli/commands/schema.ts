import { stackFileSchema } from "../../model/stackConfigSchema";
import { CommandSpec } from "../args";
import { EXIT } from "../exitCodes";

/** Prints the JSON Schema of a stack file (shipped as schemas/stack-file.schema.json for editors). */
export const schemaSpec: CommandSpec = {
  name: "schema",
  summary: "print the JSON Schema of the lchost: stack keys",
  define: () => undefined,
  run: async (_parsed, out) => {
    out(JSON.stringify(stackFileSchema(), null, 2));
    return EXIT.ok;
  },
};
