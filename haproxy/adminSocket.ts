import * as net from "net";

/** Sends one command to an HAProxy admin socket (stats socket … level admin) and returns its answer. */
export function haproxyAdminCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let out = "";
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`HAProxy admin socket ${socket}: no answer to '${command}' within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on("connect", () => s.write(`${command}\n`));
    s.on("data", (d) => (out += d.toString("utf8")));
    s.on("end", () => {
      clearTimeout(t);
      resolve(out);
    });
    s.on("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}
