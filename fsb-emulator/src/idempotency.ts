import * as fs from "fs";
import * as path from "path";

export interface IdempotencyRecord<T> {
  requestId: string;
  /** sha256 of the canonical request body: the same requestId with another body is a conflict. */
  requestHash: string;
  createdAt: string;
  response: T;
}

interface FirmLog {
  fd: number;
  size: number;
  lines: number;
  /** requestId → where its record line is in the log; Map order = insertion order (oldest first). */
  index: Map<string, { offset: number; length: number }>;
}

/**
 * Persistent, bounded idempotency records, one append-only JSON-lines log per firm:
 * `<dataDir>/firms/<firm>/requests.jsonl` (mode 0600). Appending a line is far cheaper than a file per
 * record, which keeps the emulator's own overhead small.
 *
 * Bound: at most `limitPerFirm` records per firm are answerable; beyond it the oldest are forgotten
 * (FIFO). Memory holds only an index entry per record (requestId + offset, roughly 100 bytes), and the
 * log is compacted to the newest `limitPerFirm` records whenever it holds twice that many lines, so
 * disk stays below about 2 × limit × record size. A torn last line (crash mid-write) is skipped on load.
 */
export class IdempotencyStore<T> {
  private readonly logs = new Map<string, FirmLog>();

  constructor(
    private readonly dataDir: string,
    private readonly limitPerFirm: number,
  ) {}

  private file(firmCode: string): string {
    return path.join(this.dataDir, "firms", firmCode, "requests.jsonl");
  }

  private open(firmCode: string): FirmLog {
    let log = this.logs.get(firmCode);
    if (log) return log;
    const file = this.file(firmCode);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const index = new Map<string, { offset: number; length: number }>();
    let size = 0;
    let lines = 0;
    if (fs.existsSync(file)) {
      const buf = fs.readFileSync(file);
      let start = 0;
      while (start < buf.length) {
        let end = buf.indexOf(10, start);
        if (end < 0) end = buf.length; // torn last line
        const length = end - start;
        try {
          const rec = JSON.parse(buf.subarray(start, end).toString("utf8")) as IdempotencyRecord<T>;
          if (typeof rec.requestId === "string") {
            index.delete(rec.requestId);
            index.set(rec.requestId, { offset: start, length });
            lines++;
          }
        } catch {
          /* torn or foreign line: ignore */
        }
        start = end + 1;
      }
      size = buf.length;
      if (buf.length > 0 && buf[buf.length - 1] !== 10) {
        fs.truncateSync(file, start > buf.length ? buf.length : buf.lastIndexOf(10) + 1);
        size = buf.lastIndexOf(10) + 1;
      }
    }
    log = { fd: fs.openSync(file, "a", 0o600), size, lines, index };
    this.logs.set(firmCode, log);
    this.trim(firmCode, log);
    return log;
  }

  get(firmCode: string, requestId: string): IdempotencyRecord<T> | undefined {
    const log = this.open(firmCode);
    const at = log.index.get(requestId);
    if (!at) return undefined;
    const buf = Buffer.alloc(at.length);
    const fd = fs.openSync(this.file(firmCode), "r");
    try {
      fs.readSync(fd, buf, 0, at.length, at.offset);
    } finally {
      fs.closeSync(fd);
    }
    const rec = JSON.parse(buf.toString("utf8")) as IdempotencyRecord<T>;
    return rec.requestId === requestId ? rec : undefined;
  }

  put(firmCode: string, rec: IdempotencyRecord<T>): void {
    const log = this.open(firmCode);
    const line = Buffer.from(`${JSON.stringify(rec)}\n`);
    fs.writeSync(log.fd, line);
    log.index.delete(rec.requestId);
    log.index.set(rec.requestId, { offset: log.size, length: line.length - 1 });
    log.size += line.length;
    log.lines++;
    this.trim(firmCode, log);
  }

  size(firmCode: string): number {
    return this.open(firmCode).index.size;
  }

  /** Number of lines in the firm's log (for tests of the disk bound). */
  logLines(firmCode: string): number {
    return this.open(firmCode).lines;
  }

  close(): void {
    for (const log of this.logs.values()) fs.closeSync(log.fd);
    this.logs.clear();
  }

  private trim(firmCode: string, log: FirmLog): void {
    while (log.index.size > this.limitPerFirm) log.index.delete(log.index.keys().next().value as string);
    if (log.lines <= 2 * this.limitPerFirm) return;
    // compact: rewrite the newest records into a new log and swap it in atomically
    const file = this.file(firmCode);
    const old = fs.readFileSync(file);
    const tmp = `${file}.compact`;
    const parts: Buffer[] = [];
    const index = new Map<string, { offset: number; length: number }>();
    let offset = 0;
    for (const [id, at] of log.index) {
      const line = old.subarray(at.offset, at.offset + at.length + 1);
      parts.push(line);
      index.set(id, { offset, length: at.length });
      offset += line.length;
    }
    fs.writeFileSync(tmp, Buffer.concat(parts), { mode: 0o600 });
    fs.renameSync(tmp, file);
    fs.closeSync(log.fd);
    log.fd = fs.openSync(file, "a", 0o600);
    log.index = index;
    log.size = offset;
    log.lines = index.size;
  }
}
