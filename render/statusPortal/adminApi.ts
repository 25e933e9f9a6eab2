/**
 * The status portal's admin API (status-portal/src/env.ts: PORTAL_ADMIN_PATHS), the part `lchost incident`
 * and `lchost maintenance announce` use: post a manual incident, add a human update, resolve, list; publish
 * and withdraw announced maintenance. Every call has a timeout, the bearer token
 * comes from a file (never the command line), and every answer is checked for the shape we rely on.
 */
import * as fs from "fs";
import {
  IncidentSummary,
  IncidentUpdateRequest,
  MaintenanceRequest,
  MaintenanceSummary,
  ManualIncidentRequest,
  MonthAvailabilityRequest,
  PORTAL_ADMIN_PATHS,
} from "../../status-portal/src/env";

/** The portal refused the request: the caller's input (4xx, `field` named by the portal). */
export class StatusPortalRefused extends Error {
  constructor(
    readonly status: number,
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The portal could not be reached, timed out, or answered something that is not its API. */
export class StatusPortalError extends Error {}

/** Checks a portal base URL; the error names `field`. */
export function parsePortalUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StatusPortalError(`${field}: '${value}' is not a URL (expected e.g. http://127.0.0.1:9096)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new StatusPortalError(`${field}: '${value}' must be an http:// or https:// URL of the status portal`);
  if (url.search || url.hash || url.username || url.password)
    throw new StatusPortalError(`${field}: '${value}' must not have credentials, a query or a fragment`);
  return url;
}

/** The admin token from its file (trimmed, ≥ 16 characters); the error names `field`, never the content. */
export function readAdminToken(path: string, field: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new StatusPortalError(`${field}: ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token)) throw new StatusPortalError(`${field}: ${path} must hold one token of at least 16 characters`);
  return token;
}

function summaryOf(raw: unknown, where: string): IncidentSummary {
  const s = raw as Record<string, unknown> | null;
  for (const k of ["id", "scope", "source", "status", "severity", "title", "startedAt"]) {
    if (typeof s?.[k] !== "string") throw new StatusPortalError(`${where}: field '${k}' missing or not a string (is this the status portal?)`);
  }
  return s as unknown as IncidentSummary;
}

/** What a use case needs to publish announced maintenance on the portal (StatusPortalAdminClient is one; tests may pass another). */
export interface MaintenancePublisher {
  postMaintenance(req: MaintenanceRequest): Promise<MaintenanceSummary>;
  deleteMaintenance(id: string): Promise<void>;
}

export class StatusPortalAdminClient implements MaintenancePublisher {
  private readonly base: string;
  constructor(
    url: string | URL,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = String(url).replace(/\/+$/, "");
  }

  async postIncident(req: ManualIncidentRequest): Promise<IncidentSummary> {
    return summaryOf(await this.request("POST", PORTAL_ADMIN_PATHS.incidents, req), "POST incidents");
  }

  async updateIncident(id: string, req: IncidentUpdateRequest): Promise<IncidentSummary> {
    return summaryOf(await this.request("POST", PORTAL_ADMIN_PATHS.updates(id), req), "POST update");
  }

  async resolveIncident(id: string, req: IncidentUpdateRequest): Promise<IncidentSummary> {
    return summaryOf(await this.request("POST", PORTAL_ADMIN_PATHS.resolve(id), req), "POST resolve");
  }

  /** Publishes announced maintenance of one customer (or, customer omitted, of everyone); answers its id. */
  async postMaintenance(req: MaintenanceRequest): Promise<MaintenanceSummary> {
    const m = (await this.request("POST", PORTAL_ADMIN_PATHS.maintenance, req)) as Record<string, unknown> | null;
    for (const k of ["id", "from", "to"]) {
      if (typeof m?.[k] !== "string") throw new StatusPortalError(`POST maintenance: field '${k}' missing or not a string (is this the status portal?)`);
    }
    return m as unknown as MaintenanceSummary;
  }

  /** Withdraws announced maintenance. */
  async deleteMaintenance(id: string): Promise<void> {
    await this.request("DELETE", PORTAL_ADMIN_PATHS.maintenanceEntry(id));
  }

  /** Publishes one customer's month as the SLA accounting computed it (shown on the customer's page). */
  async publishAvailability(customer: string, month: string, figures: MonthAvailabilityRequest): Promise<void> {
    await this.request("PUT", PORTAL_ADMIN_PATHS.availability(customer, month), figures);
  }

  async listIncidents(filter: { customer?: string; open: boolean }): Promise<IncidentSummary[]> {
    const q = new URLSearchParams({ open: String(filter.open), ...(filter.customer ? { customer: filter.customer } : {}) });
    const answer = (await this.request("GET", `${PORTAL_ADMIN_PATHS.incidents}?${q}`)) as { incidents?: unknown } | null;
    if (!Array.isArray(answer?.incidents)) throw new StatusPortalError(`GET incidents: the answer has no incidents list (is this the status portal?)`);
    return answer!.incidents.map((i, n) => summaryOf(i, `GET incidents: #${n + 1}`));
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const where = `${method} ${this.base}${path.split("?")[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { accept: "application/json", authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new StatusPortalError(`${where}: the status portal is not reachable (${why})`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? null : JSON.parse(text);
    } catch {
      throw new StatusPortalError(`${where}: HTTP ${res.status}, the answer is not JSON (is this the status portal?)`);
    }
    if (res.status === 401) throw new StatusPortalError(`${where}: the portal refused the admin token (HTTP 401)`);
    if (res.status >= 400 && res.status < 500) {
      const p = parsed as { message?: unknown; field?: unknown } | null;
      throw new StatusPortalRefused(
        res.status,
        typeof p?.field === "string" ? p.field : undefined,
        typeof p?.message === "string" ? p.message : `HTTP ${res.status}`,
      );
    }
    if (!res.ok) throw new StatusPortalError(`${where}: HTTP ${res.status}`);
    return parsed;
  }
}
