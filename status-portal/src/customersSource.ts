import * as fs from "fs";
import type { Logger } from "pino";
import { CustomersFileError, parsePortalCustomersJson, PortalCustomers } from "./env";
import type { PortalStore } from "./store";

/**
 * The customers file, mirrored into the portal's tables at start and whenever it changes (checked every few
 * seconds): the operations stack rewrites it when a customer is added or its password rotated, no restart
 * needed. A new version that does not validate is refused with an error naming the field, and the tables keep
 * the last good one.
 */
export class CustomersSource {
  private stamp = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly store: PortalStore,
    private readonly logger: Logger,
  ) {}

  /** Reads, validates and mirrors the file (throws CustomersFileError at start). */
  async load(): Promise<PortalCustomers> {
    let text: string;
    try {
      text = fs.readFileSync(this.path, "utf8");
    } catch (err) {
      throw new CustomersFileError("(file)", `${this.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const parsed = parsePortalCustomersJson(text);
    await this.store.syncCustomers(parsed);
    this.stamp = this.statStamp();
    return parsed;
  }

  /** Re-checks the file every `everyMs`. */
  watch(everyMs = 5000): void {
    this.timer = setInterval(() => {
      let stamp: string;
      try {
        stamp = this.statStamp();
      } catch {
        return;
      }
      if (stamp === this.stamp) return;
      this.load().then(
        (c) => this.logger.info({ customers: Object.keys(c.customers).length }, "customers file reloaded"),
        (err) => {
          this.stamp = stamp; // report a bad version once, not every interval
          this.logger.error(
            { reason: err instanceof CustomersFileError ? err.message : String(err?.message) },
            "customers file changed but could not be applied; keeping the previous one",
          );
        },
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private statStamp(): string {
    const st = fs.statSync(this.path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }
}
