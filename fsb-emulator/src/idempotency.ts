import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface IdempotencyRecord<T> {
  requestId: string;
  /** sha256 of the canonical request body: the same requestId with another body is a conflict. */
  requestHash: string;
  createdAt: string;
  response: T;
}

/**
 * Persistent, bounded idempotency records: one small JSON file per (firm, requestId) in
 * `<dataDir>/firms/<firm>/requests/<sha256(requestId)>.json` (mode 0600). At most `limitPerFirm`
 * records are kept per firm; beyond it the oldest are deleted (FIFO by creation time), so disk and
 * memory stay bounded (memory: one short file name per record in the index).
 */
export class IdempotencyStore<T> {
  private readonly index = new Map<string, Set<string>>();

  constructor(
    private readonly dataDir: string,
    private readonly limitPerFirm: number,
  ) {}

  private dir(firmCode: string): string {
    return path.join(this.dataDir, "firms", firmCode, "requests");
  }

  private fileName(requestId: string): string {
    return `${crypto.createHash("sha256").update(requestId).digest("hex")}.json`;
  }

  private firmIndex(firmCode: string): Set<string> {
    let idx = this.index.get(firmCode);
    if (idx) return idx;
    const dir = this.dir(firmCode);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entries = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => a.t - b.t);
    idx = new Set(entries.map((e) => e.f));
    this.index.set(firmCode, idx);
    this.evict(firmCode, idx);
    return idx;
  }

  get(firmCode: string, requestId: string): IdempotencyRecord<T> | undefined {
    const name = this.fileName(requestId);
    if (!this.firmIndex(firmCode).has(name)) return undefined;
    try {
      const rec = JSON.parse(fs.readFileSync(path.join(this.dir(firmCode), name), "utf8")) as IdempotencyRecord<T>;
      return rec.requestId === requestId ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  put(firmCode: string, rec: IdempotencyRecord<T>): void {
    const idx = this.firmIndex(firmCode);
    const name = this.fileName(rec.requestId);
    const file = path.join(this.dir(firmCode), name);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
    fs.renameSync(tmp, file);
    idx.delete(name);
    idx.add(name);
    this.evict(firmCode, idx);
  }

  size(firmCode: string): number {
    return this.firmIndex(firmCode).size;
  }

  private evict(firmCode: string, idx: Set<string>): void {
    while (idx.size > this.limitPerFirm) {
      const oldest = idx.values().next().value as string;
      idx.delete(oldest);
      fs.rmSync(path.join(this.dir(firmCode), oldest), { force: true });
    }
  }
}
