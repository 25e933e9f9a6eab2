import * as http from "http";

/** A small client of the Docker Engine API over its unix socket (the API the Docker provider uses). */
export class DockerEngine {
  constructor(private readonly socketPath = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock", private readonly version = "v1.41") {}

  request<T = any>(method: string, path: string, body?: unknown, raw?: { data: Buffer; type: string }): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const data = raw ? raw.data : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          socketPath: this.socketPath,
          method,
          path: `/${this.version}${path}`,
          headers: data ? { "Content-Type": raw ? raw.type : "application/json", "Content-Length": data.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* logs and archives are not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      if (data) req.write(data);
      req.end();
    });
  }

  async ok<T = any>(method: string, path: string, body?: unknown, raw?: { data: Buffer; type: string }): Promise<T> {
    const r = await this.request<T>(method, path, body, raw);
    if (r.status >= 300) throw new Error(`docker ${method} ${path}: ${r.status} ${typeof r.body === "object" ? (r.body as any)?.message : r.body}`);
    return r.body;
  }
}
