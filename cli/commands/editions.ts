import { renderEditionTable } from "../../model/editionTable";
import { CommandSpec } from "../args";
import { EXIT } from "../exitCodes";

/** Prints the edition catalog as a table (the README embeds the same text). */
export const editionsSpec: CommandSpec = {
  name: "editions",
  summary: "print the edition catalog as a Markdown table",
  define: () => undefined,
  run: async (_parsed, out) => {
    out(renderEditionTable());
    return EXIT.ok;
  },
};
