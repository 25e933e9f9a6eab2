import * as fs from "fs";
import type { Logger } from "pino";
import { NotifierRecipients, parseNotifierRecipientsJson, RecipientsError } from "./env";

/**
 * The recipients file, re-read when it changes (the operations stack rewrites it when a customer's
 * notifications change; no restart needed). A new version that does not validate is refused with an
 * error naming the field, and the last good one stays in use.
 */
export class RecipientsSource {
  private current: NotifierRecipients;
  private stamp: string;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {
    this.stamp = this.statStamp();
    this.current = this.read(); // at start a bad file is fatal (RecipientsError)
  }

  get(): NotifierRecipients {
    let stamp: string;
    try {
      stamp = this.statStamp();
    } catch {
      return this.current;
    }
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      try {
        this.current = this.read();
        this.logger.info({ customers: Object.keys(this.current.customers).length }, "recipients file reloaded");
      } catch (err) {
        this.logger.error(
          { reason: err instanceof RecipientsError ? err.message : String((err as Error).message) },
          "recipients file changed but is invalid; keeping the previous one",
        );
      }
    }
    return this.current;
  }

  private statStamp(): string {
    const st = fs.statSync(this.path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }

  private read(): NotifierRecipients {
    let text: string;
    try {
      text = fs.readFileSync(this.path, "utf8");
    } catch (err) {
      throw new RecipientsError("(file)", `${this.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    return parseNotifierRecipientsJson(text);
  }
}
