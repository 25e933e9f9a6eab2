/**
 * Prometheus' HTTP API (v1), the part lchost reads: instant and range queries. Every call has a timeout
 * and every answer is checked for the shape we rely on before it is used: a wrong URL (some other server
 * answering) is an error that says so, not an `undefined` further down.
 * https://prometheus.io/docs/prometheus/latest/querying/api/
 */

/** Prometheus could not be reached, timed out, refused the query or answered something that is not its API. */
export class PrometheusError extends Error {}

/** One series of a matrix: its labels and its samples as [unix seconds, value]. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

export interface PrometheusClientOptions {
  /** Per request; default 30 s (a month of minutes for a whole fleet is a big query). */
  timeoutMs?: number;
}

/** Checks a Prometheus base URL (`http(s)://host:port[/prefix]`); the error names `field`. */
export function parsePrometheusUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PrometheusError(`${field}: '${value}' is not a URL (expected e.g. http://127.0.0.1:9090)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new PrometheusError(`${field}: '${value}' must be an http:// or https:// URL of Prometheus`);
  if (url.search || url.hash) throw new PrometheusError(`${field}: '${value}' must not have a query or fragment`);
  return url;
}

/** Unix seconds with milliseconds, as Prometheus takes them. */
const unixSeconds = (ms: number) => (ms / 1000).toFixed(3);

export class PrometheusClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(url: string | URL, opts: PrometheusClientOptions = {}) {
    this.base = String(url).replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** An instant query that must answer a matrix (a range selector): the raw samples of each series. */
  async queryMatrixAt(query: string, atMs: number): Promise<MatrixSeries[]> {
    const data = await this.request("/api/v1/query", { query, time: unixSeconds(atMs) });
    return matrixOf(data, `${this.base}/api/v1/query`);
  }

  /** A range query from `startMs` to `endMs` every `stepMs` (Prometheus caps it at 11,000 steps a series). */
  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<MatrixSeries[]> {
    const data = await this.request("/api/v1/query_range", { query, start: unixSeconds(startMs), end: unixSeconds(endMs), step: `${stepMs / 1000}` });
    return matrixOf(data, `${this.base}/api/v1/query_range`);
  }

  /** POST with a form body: queries over a whole fleet are longer than a URL may be. */
  private async request(path: string, params: Record<string, string>): Promise<unknown> {
    const where = `POST ${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new PrometheusError(`${where}: Prometheus not reachable (${why})`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PrometheusError(`${where}: HTTP ${res.status}, the answer is not JSON (is this Prometheus?)`);
    }
    const b = body as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown } | null;
    if (b?.status === "error") throw new PrometheusError(`${where}: ${String(b.errorType ?? "error")}: ${String(b.error ?? "").slice(0, 300)}`);
    if (!res.ok || b?.status !== "success") throw new PrometheusError(`${where}: HTTP ${res.status} without status "success" (is this Prometheus' API?)`);
    return b.data;
  }
}

function labelsOf(raw: unknown, where: string): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new PrometheusError(`${where}: 'metric' is not a label map`);
  for (const [k, v] of Object.entries(raw)) if (typeof v !== "string") throw new PrometheusError(`${where}: label '${k}' is not a string`);
  return raw as Record<string, string>;
}

function sampleOf(raw: unknown, where: string): [number, number] {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== "number" || typeof raw[1] !== "string")
    throw new PrometheusError(`${where}: a sample is not [<unix time>, "<value>"]`);
  const v = Number(raw[1]);
  if (raw[1].trim() === "" || (Number.isNaN(v) && raw[1] !== "NaN")) throw new PrometheusError(`${where}: sample value '${raw[1]}' is not a number`);
  return [raw[0], v];
}

function matrixOf(data: unknown, where: string): MatrixSeries[] {
  const d = data as { resultType?: unknown; result?: unknown } | null;
  if (d?.resultType !== "matrix") throw new PrometheusError(`${where}: expected a matrix result, got ${JSON.stringify(d?.resultType ?? null)}`);
  if (!Array.isArray(d.result)) throw new PrometheusError(`${where}: 'result' is not a list`);
  return d.result.map((s, i) => {
    const at = `${where}: series #${i + 1}`;
    const series = s as { metric?: unknown; values?: unknown } | null;
    if (!Array.isArray(series?.values)) throw new PrometheusError(`${at}: 'values' is not a list`);
    return { metric: labelsOf(series!.metric, at), values: series!.values.map((v) => sampleOf(v, at)) };
  });
}
