/**
 * What "the data arrived" means: per table, the number of rows and a SHA-256 over the rows in primary-key
 * order, each row as canonical JSON of its column values as strings. Independent of the engine's layout
 * (row format, page size, a Galera node or a single server), unlike CHECKSUM TABLE.
 */
import * as crypto from "crypto";

export interface TableChecksum {
  table: string;
  rows: number;
  sha256: string;
}

/** Incremental digest of one table: feed rows in primary-key order. */
export class TableDigest {
  private readonly hash = crypto.createHash("sha256");
  rows = 0;
  constructor(readonly table: string) {}

  add(row: Record<string, unknown>, columns: string[]): void {
    const values = columns.map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return null;
      if (Buffer.isBuffer(v)) return `hex:${v.toString("hex")}`;
      if (v instanceof Date) return v.toISOString();
      return String(v);
    });
    this.hash.update(JSON.stringify(values));
    this.hash.update("\n");
    this.rows++;
  }

  result(): TableChecksum {
    return { table: this.table, rows: this.rows, sha256: this.hash.digest("hex") };
  }
}

export interface ChecksumMismatch {
  table: string;
  problem: "missing" | "unexpected" | "rows" | "content";
  message: string;
}

/** Compares the target's checksums with the source's; an empty list means identical. */
export function compareChecksums(source: TableChecksum[], target: TableChecksum[]): ChecksumMismatch[] {
  const out: ChecksumMismatch[] = [];
  const byName = new Map(target.map((t) => [t.table, t]));
  for (const s of source) {
    const t = byName.get(s.table);
    if (!t) out.push({ table: s.table, problem: "missing", message: `table ${s.table}: missing in the new database (source has ${s.rows} rows)` });
    else if (t.rows !== s.rows)
      out.push({ table: s.table, problem: "rows", message: `table ${s.table}: ${t.rows} rows in the new database, ${s.rows} in the source` });
    else if (t.sha256 !== s.sha256)
      out.push({
        table: s.table,
        problem: "content",
        message: `table ${s.table}: same ${s.rows} rows but different content (sha256 ${t.sha256.slice(0, 12)}… vs ${s.sha256.slice(0, 12)}…)`,
      });
    byName.delete(s.table);
  }
  for (const t of byName.values()) out.push({ table: t.table, problem: "unexpected", message: `table ${t.table}: in the new database but not in the source` });
  return out;
}
