import pino from "pino";
import { maskDeep, maskSecret, maskValues } from "../../service-kit/src/logMasking";
import { createServiceLogger } from "../../service-kit/src/logger";

const TICKET_CODE = /[A-Z2-9]{5}(?:-[A-Z2-9]{5}){4}/g;
/** A path segment after /tickets/ is a ticket code (or an attempt at one): masked whatever it looks like. */
const TICKET_SEGMENT = /(\/tickets\/)([^/?#]+)/g;
const LOG_SECRETS = Symbol("lc.logSecrets");

type SecretHolder = { [LOG_SECRETS]?: string[] };

/** Ticket codes anywhere in a text (and the segment after /tickets/ in a path), as their masks. */
export function maskTicketCodes(text: string): string {
  return text
    .replace(TICKET_SEGMENT, (_m, pre: string, seg: string) => pre + (seg.includes("…#") ? seg : maskSecret(seg)))
    .replace(TICKET_CODE, (t) => maskSecret(t));
}

/**
 * Registers values (the request's ticket code and idempotency key) that this request's logger masks in
 * everything it writes, e.g. an FSB error message quoting the requestId.
 */
export function maskInLogs(log: unknown, ...secrets: Array<string | undefined>): void {
  const holder = log as SecretHolder;
  holder[LOG_SECRETS] = [...(holder[LOG_SECRETS] ?? []), ...secrets.filter((s): s is string => typeof s === "string" && s.length > 0)];
}

/**
 * License Central's logger: admin and web-service tokens are censored besides the common paths; ticket
 * codes and idempotency keys appear only masked (first 4 characters + a short hash): in request URLs (req
 * serializer), in errors (no SQL with its parameters), and in any log call of a request that registered
 * them (maskInLogs).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger("license-central", level, ["adminToken", "*.adminToken", "wsToken", "*.wsToken", "*.*.password", "*.*.token"], destination, {
    serializers: {
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: maskTicketCodes(String(req.url ?? "")),
        hostname: req.hostname,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    hooks: {
      logMethod(this: pino.Logger, args: unknown[], method: (...a: unknown[]) => void) {
        const secrets = (this as unknown as SecretHolder)[LOG_SECRETS] ?? [];
        const mask = (s: string) => maskTicketCodes(maskValues(s, secrets));
        method.apply(
          this,
          args.map((a) => maskDeep(a, mask)),
        );
      },
    },
  });
}
