/**
 * The portal's password hashes, both sides: the operations stack hashes each customer's generated password
 * into the customers file (hashPortalPassword), the portal checks a login against it (verifyPortalPassword).
 * scrypt (Node's crypto, RFC 7914) with its parameters in the hash, so they can be raised later without
 * breaking stored hashes. Part of the portal's contract: it imports only Node's crypto, so the toolkit may use it.
 *
 *   scrypt$<N>$<r>$<p>$<salt, base64>$<32-byte key, base64>
 */
import * as crypto from "crypto";

/** 2^15 × 8 × 128 bytes = 32 MiB per hash; ~50–100 ms on one core: slow for a guesser, fine for a login. */
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1, keyLength: 32 } as const;
const maxmem = (N: number, r: number, p: number) => 128 * N * r * p + 1024 * 1024;

export function hashPortalPassword(
  password: string,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
  salt: Buffer = crypto.randomBytes(16),
): string {
  if (password.length < 12) throw new Error("portal passwords have at least 12 characters");
  const key = crypto.scryptSync(password, salt, SCRYPT_PARAMS.keyLength, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: maxmem(params.N, params.r, params.p),
  });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

let unknownUserHash_: string | undefined;
/** A hash that matches nothing, checked when the user name is unknown so that both answers take the same time. */
export function unknownUserHash(): string {
  unknownUserHash_ ??= hashPortalPassword(crypto.randomBytes(24).toString("base64"));
  return unknownUserHash_;
}

/** Does `password` match `hash`? Constant time in the comparison; false for a malformed hash (never throws). */
export async function verifyPortalPassword(password: string, hash: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // bounded, so a hostile customers file cannot make every login take minutes or gigabytes
  if (N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5], "base64");
  if (expected.length < 16 || password.length > 1024) return false;
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(password, Buffer.from(m[4], "base64"), expected.length, { N, r, p, maxmem: maxmem(N, r, p) }, (err, k) => (err ? reject(err) : resolve(k))),
  );
  return crypto.timingSafeEqual(key, expected);
}
