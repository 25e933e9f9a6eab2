import { createHash } from "crypto";

/**
 * SHA-512 crypt ("$6$", Drepper's specification), the hash HAProxy userlists and `openssl passwd -6`
 * use, so a basic-auth password never reaches a config file in plain text.
 */
const ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
}

function repeatTo(src: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = src[i % src.length];
  return out;
}

function encode(b: Buffer): string {
  const order = [
    [0, 21, 42],
    [22, 43, 1],
    [44, 2, 23],
    [3, 24, 45],
    [25, 46, 4],
    [47, 5, 26],
    [6, 27, 48],
    [28, 49, 7],
    [50, 8, 29],
    [9, 30, 51],
    [31, 52, 10],
    [53, 11, 32],
    [12, 33, 54],
    [34, 55, 13],
    [56, 14, 35],
    [15, 36, 57],
    [37, 58, 16],
    [59, 17, 38],
    [18, 39, 60],
    [40, 61, 19],
    [62, 20, 41],
  ];
  let out = "";
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++) {
      out += ALPHABET[v & 0x3f];
      v >>= 6;
    }
  };
  for (const [a, c, d] of order) put((b[a] << 16) | (b[c] << 8) | b[d], 4);
  put(b[63], 2);
  return out;
}

export function sha512Crypt(password: string, salt: string, rounds = 5000): string {
  const pw = Buffer.from(password, "utf8");
  const s = Buffer.from(salt.slice(0, 16), "utf8");
  const b = sha512(pw, s, pw);
  const aParts: Buffer[] = [pw, s, repeatTo(b, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : pw);
  const a = sha512(...aParts);
  const dp = repeatTo(sha512(...Array(pw.length).fill(pw)), pw.length);
  const ds = repeatTo(sha512(...Array(16 + a[0]).fill(s)), s.length);
  let c = a;
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? dp : c];
    if (i % 3) parts.push(ds);
    if (i % 7) parts.push(dp);
    parts.push(i & 1 ? c : dp);
    c = sha512(...parts);
  }
  const roundsPart = rounds === 5000 ? "" : `rounds=${rounds}$`;
  return `$6$${roundsPart}${s.toString("utf8")}$${encode(c)}`;
}
