/** HTTPS calls to a sandbox's entry point as a customer would make them (SNI and Host of the published name). */
import * as fs from "fs";
import * as https from "https";
import type { SandboxHandle } from "../../../sandbox/startSandbox";

export interface GatewayResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface GatewayRequest {
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Present the sandbox's client certificate. */
  clientCertificate?: boolean;
  agent?: https.Agent;
  timeoutMs?: number;
}

export function gatewayRequest(sb: SandboxHandle, stack: string, req: GatewayRequest): Promise<GatewayResponse> {
  const gw = sb.endpoints[stack].gateway!;
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: gw.address,
        port: gw.port,
        method: req.method ?? "GET",
        path: req.path,
        servername: gw.host,
        ca: fs.readFileSync(sb.tls.caCert),
        ...(req.clientCertificate ? { cert: fs.readFileSync(sb.tls.clientCert), key: fs.readFileSync(sb.tls.clientKey) } : {}),
        agent: req.agent,
        timeout: req.timeoutMs ?? 30_000,
        headers: { host: gw.host, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}), ...req.headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let body: any = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    r.on("timeout", () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`)));
    r.on("error", reject);
    if (payload) r.write(payload);
    r.end();
  });
}

/** A ticket created on the line's admin port (internal; never through the gateway). */
export async function createTicket(sb: SandboxHandle, stack: string, orderId: string, lineIndex = 0): Promise<string> {
  const line = sb.endpoints[stack].lines[lineIndex];
  const res = await fetch(`${line.adminUrl}/admin/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${sb.credentials[stack].adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ orderId, items: [{ productCode: 1001, quantity: 1 }] }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`creating ticket ${orderId} on ${line.adminUrl}: ${res.status} ${JSON.stringify(body)}`);
  return body.ticket;
}
