/**
 * Alertmanager's runtime API (v2), the part lchost uses: silences (create, list, expire) and posting an
 * alert of its own (a maintenance announcement to the customers' channels); every call has a
 * timeout, and every answer is checked for the shape we rely on before it is used, so a wrong URL (some
 * other server answering) is an error that says so rather than an `undefined` further down.
 * https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
 */

/** One label matcher of a silence (API v2 `matcher`). `isEqual: false` negates it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface SilenceRequest {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export type SilenceState = "active" | "pending" | "expired";

export interface Silence {
  id: string;
  state: SilenceState;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** An alert lchost posts itself (API v2 `postableAlert`); it ends by itself at `endsAt`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date;
}

/** Alertmanager could not be reached, timed out, refused the request or answered something that is not its API. */
export class AlertmanagerError extends Error {}

export interface AlertmanagerClientOptions {
  /** Per request; default 5 s. */
  timeoutMs?: number;
}

/** Who creates the silences lchost makes (`createdBy`), so operators can tell them from hand-made ones. */
export const LCHOST_SILENCE_AUTHOR = "lchost";

/** Checks an Alertmanager base URL (`http(s)://host:port[/prefix]`); the error names `field`. */
export function parseAlertmanagerUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AlertmanagerError(`${field}: '${value}' is not a URL (expected e.g. http://127.0.0.1:9093)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new AlertmanagerError(`${field}: '${value}' must be an http:// or https:// URL of Alertmanager`);
  if (url.search || url.hash) throw new AlertmanagerError(`${field}: '${value}' must not have a query or fragment`);
  return url;
}

/** What a use case needs to silence alerts for a while (AlertmanagerClient is one; tests may pass another). */
export interface AlertSilencer {
  createSilence(s: SilenceRequest): Promise<string>;
  expireSilence(id: string): Promise<void>;
}

/** What a use case needs to post alerts of its own. */
export interface AlertPoster {
  postAlerts(alerts: PostableAlert[]): Promise<void>;
}

export class AlertmanagerClient implements AlertSilencer, AlertPoster {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(url: string | URL, opts: AlertmanagerClientOptions = {}) {
    this.base = String(url).replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Creates a silence; answers its id. */
  async createSilence(s: SilenceRequest): Promise<string> {
    if (s.matchers.length === 0) throw new AlertmanagerError("a silence needs at least one matcher (an empty one would silence everything)");
    const body = {
      matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    const answer = await this.request("POST", "/api/v2/silences", body);
    const id = (answer as { silenceID?: unknown } | null)?.silenceID;
    if (typeof id !== "string" || id === "") throw new AlertmanagerError(`${this.base}: POST /api/v2/silences answered without a silenceID`);
    return id;
  }

  /** Every silence Alertmanager holds (active, pending and recently expired). */
  async listSilences(): Promise<Silence[]> {
    const answer = await this.request("GET", "/api/v2/silences");
    if (!Array.isArray(answer)) throw new AlertmanagerError(`${this.base}: GET /api/v2/silences did not answer a list`);
    return answer.map((s, i) => silenceOf(s, `${this.base}: silence #${i + 1}`));
  }

  /** Expires a silence (Alertmanager keeps it as expired for its retention time). */
  async expireSilence(id: string): Promise<void> {
    if (!/^[A-Za-z0-9-]+$/.test(id)) throw new AlertmanagerError(`silence id '${id}' is not an Alertmanager silence id`);
    await this.request("DELETE", `/api/v2/silence/${encodeURIComponent(id)}`);
  }

  /** Posts alerts (every one needs alertname); Alertmanager routes them like Prometheus's. */
  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    alerts.forEach((a, i) => {
      if (!a.labels.alertname) throw new AlertmanagerError(`alert #${i + 1} has no alertname label`);
    });
    await this.request(
      "POST",
      "/api/v2/alerts",
      alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString() })),
    );
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const where = `${method} ${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new AlertmanagerError(`${where}: Alertmanager not reachable (${why})`);
    }
    const text = await res.text();
    if (!res.ok) throw new AlertmanagerError(`${where}: HTTP ${res.status}${text.trim() ? `: ${text.trim().split("\n")[0].slice(0, 300)}` : ""}`);
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new AlertmanagerError(`${where}: the answer is not JSON (is this Alertmanager?)`);
    }
  }
}

const STATES: readonly string[] = ["active", "pending", "expired"];

function silenceOf(raw: unknown, where: string): Silence {
  const s = raw as Record<string, unknown> | null;
  const str = (k: string) => {
    const v = s?.[k];
    if (typeof v !== "string") throw new AlertmanagerError(`${where}: field '${k}' missing or not a string`);
    return v;
  };
  const state = (s?.status as { state?: unknown } | undefined)?.state;
  if (typeof state !== "string" || !STATES.includes(state)) throw new AlertmanagerError(`${where}: status.state missing or unknown`);
  if (!Array.isArray(s?.matchers)) throw new AlertmanagerError(`${where}: field 'matchers' missing or not a list`);
  const matchers = (s!.matchers as unknown[]).map((m, j) => {
    const mm = m as Record<string, unknown> | null;
    if (typeof mm?.name !== "string" || typeof mm?.value !== "string" || typeof mm?.isRegex !== "boolean")
      throw new AlertmanagerError(`${where}: matcher #${j + 1} is not {name, value, isRegex}`);
    return { name: mm.name, value: mm.value, isRegex: mm.isRegex, isEqual: typeof mm.isEqual === "boolean" ? mm.isEqual : true };
  });
  return {
    id: str("id"),
    state: state as SilenceState,
    matchers,
    startsAt: str("startsAt"),
    endsAt: str("endsAt"),
    createdBy: str("createdBy"),
    comment: str("comment"),
  };
}
