/** A minimal ustar archive of in-memory files: what the Docker API's PUT /containers/{id}/archive takes. */
export interface TarFile {
  path: string;
  content: string | Buffer;
  mode?: number;
  /** Numeric owner (default root). */
  uid?: number;
  gid?: number;
}

function header(name: string, size: number, mode: number, uid = 0, gid = 0): Buffer {
  const h = Buffer.alloc(512, 0);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const put = (value: string, offset: number, length: number) => h.write(value.slice(0, length), offset, length, "utf8");
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, "0") + "\0";
  put(base, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(uid, 8), 108, 8);
  put(octal(gid, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  h.fill(" ", 148, 156);
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

export function tarArchive(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const body = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content, "utf8");
    parts.push(header(f.path.replace(/^\/+/, ""), body.length, f.mode ?? 0o644, f.uid, f.gid), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
