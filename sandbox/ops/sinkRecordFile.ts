import * as fs from "fs";

/**
 * What a sink received, in memory and (optionally) appended to a JSON-lines file under the sandbox
 * directory, so tests and operators read the same thing; waitFor resolves when a matching record arrives.
 */
export class SinkRecords<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<{ match: (r: T) => boolean; resolve: (r: T) => void }>();

  constructor(private readonly file?: string) {
    if (file) fs.writeFileSync(file, "", { flag: "a", mode: 0o600 });
  }

  add(record: T): void {
    this.items.push(record);
    if (this.file) fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
    for (const w of [...this.waiters]) {
      if (w.match(record)) {
        this.waiters.delete(w);
        w.resolve(record);
      }
    }
  }

  all(): T[] {
    return [...this.items];
  }

  clear(): void {
    this.items.length = 0;
  }

  /** The first record (already received or arriving within timeoutMs) that matches; rejects with `what` on timeout. */
  waitFor(match: (r: T) => boolean, timeoutMs: number, what = "a matching record"): Promise<T> {
    const found = this.items.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (r: T) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.items.length} received)`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }
}
