/**
 * Throw-away TLS material for a sandbox, made with openssl: a CA, a server certificate for the entry
 * points (every published DNS name plus every listen address) and a client certificate, both from
 * that CA. They replace the planned placeholder PEMs and the stack's client CA (whose key we do not have).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface CertificateFiles {
  dir: string;
  caCert: string;
  caKey: string;
  serverPem: string;
  clientCert: string;
  clientKey: string;
  /** The CA's revocation list (revoking nothing): written where a stack's gateway checks a CRL. */
  crl: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA (EC P-256) with its key: `<dir>/<name>.crt`, `<dir>/<name>.key`. */
export function makeCertificateAuthority(dir: string, name: string, commonName: string, days = 7): { cert: string; key: string } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], dir);
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      key,
      "-out",
      cert,
      "-days",
      String(days),
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  privateFiles(key, cert, path.join(dir, `${name}.srl`));
  return { cert, key };
}

/** Keys, certificates and the serial file: 0600, like everything a sandbox keeps (in 0700 directories). */
function privateFiles(...files: string[]): void {
  for (const f of files) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
}

/** A leaf certificate signed by `ca`: `<dir>/<name>.crt`, `<dir>/<name>.key`. */
export function issueCertificate(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  opts: { commonName: string; dnsNames?: string[]; ipAddresses?: string[]; usage: "server" | "client"; days?: number },
): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  const san = [...(opts.dnsNames ?? []).map((d) => `DNS:${d}`), ...(opts.ipAddresses ?? []).map((i) => `IP:${i}`)];
  fs.writeFileSync(
    ext,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${opts.usage === "server" ? "serverAuth" : "clientAuth"}`,
      ...(san.length ? [`subjectAltName=${san.join(",")}`] : []),
      "",
    ].join("\n"),
  );
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], dir);
  openssl(["req", "-new", "-key", key, "-out", csr, "-subj", `/CN=${opts.commonName}`], dir);
  openssl(
    ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", String(opts.days ?? 7), "-extfile", ext],
    dir,
  );
  privateFiles(key, cert, ca.cert.replace(/\.crt$/, ".srl"));
  fs.rmSync(csr);
  fs.rmSync(ext);
  return { cert, key };
}

/** `days`: how long the CA and the server certificate are valid (default 7; a sandbox with monitoring needs more than its certificate alert's window). */
export function makeSandboxCertificates(dir: string, opts: { dnsNames: string[]; ipAddresses: string[]; days?: number }): CertificateFiles {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const ca = makeCertificateAuthority(dir, "ca", "lchost sandbox CA", opts.days);
  const server = issueCertificate(dir, "server", ca, {
    commonName: opts.dnsNames[0] ?? "lchost-sandbox",
    dnsNames: opts.dnsNames,
    ipAddresses: opts.ipAddresses,
    usage: "server",
    days: opts.days,
  });
  const client = issueCertificate(dir, "client", ca, { commonName: "lchost sandbox client", usage: "client" });
  const serverPem = path.join(dir, "server.pem");
  fs.writeFileSync(serverPem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
  const crl = makeRevocationList(dir, "ca", ca);
  return { dir, caCert: ca.cert, caKey: ca.key, serverPem, clientCert: client.cert, clientKey: client.key, crl };
}

/**
 * The CA's certificate revocation list (PEM), revoking `revoked` (certificate files issued by `ca`):
 * `<dir>/<name>.crl`, valid for 7 days. Made with `openssl ca` on a throw-away database.
 */
export function makeRevocationList(dir: string, name: string, ca: { cert: string; key: string }, revoked: string[] = []): string {
  const db = fs.mkdtempSync(path.join(dir, `${name}-ca-db-`));
  const cnf = path.join(db, "ca.cnf");
  fs.writeFileSync(
    cnf,
    [
      "[ca]",
      "default_ca = crl_only",
      "[crl_only]",
      `database = ${db}/index.txt`,
      `crlnumber = ${db}/crlnumber`,
      "default_md = sha256",
      "default_crl_days = 7",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(db, "index.txt"), "");
  fs.writeFileSync(path.join(db, "crlnumber"), "01\n");
  for (const cert of revoked) openssl(["ca", "-config", cnf, "-keyfile", ca.key, "-cert", ca.cert, "-revoke", cert], dir);
  const crl = path.join(dir, `${name}.crl`);
  openssl(["ca", "-config", cnf, "-keyfile", ca.key, "-cert", ca.cert, "-gencrl", "-out", crl], dir);
  fs.rmSync(db, { recursive: true, force: true });
  privateFiles(crl);
  return crl;
}

/** A CA and client certificate kept in `caDir` (made on first use), and a server certificate for this sandbox. */
export function certificatesFromAuthority(caDir: string, dir: string, opts: { dnsNames: string[]; ipAddresses: string[]; days?: number }): CertificateFiles {
  const ca = { cert: path.join(caDir, "ca.crt"), key: path.join(caDir, "ca.key") };
  if (!fs.existsSync(ca.cert) || !fs.existsSync(ca.key)) {
    makeCertificateAuthority(caDir, "ca", "lchost sandbox CA");
    issueCertificate(caDir, "client", ca, { commonName: "lchost sandbox client", usage: "client" });
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const server = issueCertificate(dir, "server", ca, {
    commonName: opts.dnsNames[0] ?? "lchost-sandbox",
    dnsNames: opts.dnsNames,
    ipAddresses: opts.ipAddresses,
    usage: "server",
    days: opts.days,
  });
  const serverPem = path.join(dir, "server.pem");
  fs.writeFileSync(serverPem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
  const crl = makeRevocationList(dir, "ca", ca);
  return { dir, caCert: ca.cert, caKey: ca.key, serverPem, clientCert: path.join(caDir, "client.crt"), clientKey: path.join(caDir, "client.key"), crl };
}
