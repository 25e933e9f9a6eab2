/**
 * One activation through a customer's HTTPS entry, as its clients make it: a ticket is created through
 * License Central's admin API inside a line container (the admin port is never published; the token goes
 * in the exec's environment, never on a command line), then activated once through the published entry
 * with the customer's host name as SNI and Host. The ticket code is never logged. It counts one activation
 * against the customer's monthly quota (docs/fleet.md, "Rolling upgrade").
 */
import * as https from "https";
import { dockerExec } from "../../dockerRun/dockerExec";
import { DockerEngine } from "../../dockerRun/dockerEngine";

export interface ActivationProbe {
  docker: DockerEngine;
  /** A line container of the customer (its admin API creates the ticket). */
  line: string;
  adminToken: string;
  /** The stack output endpoints.depot: https://<customer host>:<port>/depot/v1 */
  depotUrl: string;
  /** orderId of the ticket, container name and idempotency key of the activation. */
  label: string;
  timeoutMs: number;
}

// a 503 from the admin API is a database that answered too slowly (License Central's own Retry-After): asked again, 5 times at most
const CREATE_TICKET =
  "(async()=>{for(let i=0;i<5;i++){" +
  'const r=await fetch("http://127.0.0.1:8081/admin/v1/tickets",{method:"POST",headers:{"content-type":"application/json",authorization:"Bearer "+process.env.LC_PROBE_TOKEN},' +
  "body:JSON.stringify({orderId:process.env.LC_PROBE_ORDER,items:[{productCode:1,quantity:1}]}),signal:AbortSignal.timeout(15000)});" +
  "const j=await r.json().catch(()=>({}));if(r.status===201&&j.ticket){process.stdout.write(j.ticket);return}" +
  'if(r.status!==503){console.error("admin API answered "+r.status);process.exit(1)}await new Promise(s=>setTimeout(s,1000))}' +
  'console.error("admin API answered 503 five times");process.exit(1)})().catch(e=>{console.error(String(e));process.exit(1)})';

/** Where the engine's published ports are reached: this machine for a local socket, else the engine's host. */
export function publishedAddress(docker: DockerEngine): string {
  const e = docker.endpoint;
  if ("host" in e) return e.host;
  if ("ssh" in e) return e.ssh.replace(/^.*@/, "").replace(/:\d+$/, "");
  return "127.0.0.1";
}

/** A fresh ticket (one product, quantity 1) from the admin API inside `line`; its code is returned, never logged. */
export async function createTicket(docker: DockerEngine, line: string, adminToken: string, orderId: string): Promise<string> {
  try {
    const env = [`LC_PROBE_TOKEN=${adminToken}`, `LC_PROBE_ORDER=${orderId}`];
    return (await dockerExec(docker, line, ["node", "-e", CREATE_TICKET], { env })).stdout.trim();
  } catch (e) {
    const why = String((e as Error).message)
      .split("\n")[0]
      .slice(-300);
    throw new Error(`no ticket from the admin API of ${line}: ${why}`);
  }
}

export async function probeActivation(p: ActivationProbe): Promise<{ status: number }> {
  const ticket = await createTicket(p.docker, p.line, p.adminToken, p.label);
  return { status: await activateThroughEntry(p.docker, p.depotUrl, ticket, p.label, p.timeoutMs) };
}

/** POST …/tickets/<ticket>/activations through the published entry (a new connection); `key` is the container name and idempotency key. */
export function activateThroughEntry(docker: DockerEngine, depotUrl: string, ticket: string, key: string, timeoutMs: number): Promise<number> {
  const url = new URL(depotUrl);
  const body = JSON.stringify({ container: key, idempotencyKey: key });
  return new Promise<number>((resolve, reject) => {
    const req = https.request(
      {
        host: publishedAddress(docker),
        port: Number(url.port || 443),
        method: "POST",
        path: `${url.pathname.replace(/\/$/, "")}/tickets/${encodeURIComponent(ticket)}/activations`,
        servername: url.hostname,
        rejectUnauthorized: false, // the stack's entry certificate is self-signed; the probe checks the service, not the certificate
        headers: { Host: url.hostname, "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", (e) => reject(new Error(`the activation through ${url.host} failed: ${e.message}`)));
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end(body);
  });
}
