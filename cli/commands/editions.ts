import { renderEditionTable } from "../../model/editionTable";

/** Prints the edition catalog as a table (the README embeds the same text). */
export async function editionsCommand(_argv: string[], out: (s: string) => void): Promise<number> {
  out(renderEditionTable());
  return 0;
}
