/** A tiny argument parser: positionals, --flag, --key value, --key=value. Unknown flags are errors. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], known: { boolean: string[]; string: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out.positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (known.boolean.includes(name)) {
      out.flags[name] = true;
    } else if (known.string.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      out.flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}; allowed: ${[...known.boolean, ...known.string].map((k) => `--${k}`).join(", ")}`);
    }
  }
  return out;
}
