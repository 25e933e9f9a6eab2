import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface FirmKey {
  firmCode: string;
  keyId: string;
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
}

/**
 * Per-firm Ed25519 key pairs, generated on first use and persisted as PKCS#8 PEM files with mode 0600
 * in `<dataDir>/firms/<firm>/ed25519-private.pem` (directories 0700). Creation is atomic (write to a
 * temp file, then link: if another process won the race, its key is used).
 */
export class KeyStore {
  private readonly cache = new Map<string, FirmKey>();

  constructor(private readonly dataDir: string) {}

  firmDir(firmCode: string): string {
    return path.join(this.dataDir, "firms", firmCode);
  }

  get(firmCode: string): FirmKey {
    const cached = this.cache.get(firmCode);
    if (cached) return cached;
    const dir = this.firmDir(firmCode);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, "ed25519-private.pem");
    let pem: string;
    try {
      pem = fs.readFileSync(file, "utf8");
    } catch (err: any) {
      if (err.code !== "ENOENT") throw err;
      const { privateKey } = crypto.generateKeyPairSync("ed25519");
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      fs.writeFileSync(tmp, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
      const fd = fs.openSync(tmp, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      try {
        fs.linkSync(tmp, file);
      } catch (linkErr: any) {
        if (linkErr.code !== "EEXIST") throw linkErr;
      } finally {
        fs.unlinkSync(tmp);
      }
      pem = fs.readFileSync(file, "utf8");
    }
    const privateKey = crypto.createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${file} is not an Ed25519 key`);
    const publicKey = crypto.createPublicKey(privateKey);
    const der = publicKey.export({ type: "spki", format: "der" });
    const key: FirmKey = {
      firmCode,
      keyId: crypto.createHash("sha256").update(der).digest("hex").slice(0, 16),
      privateKey,
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    this.cache.set(firmCode, key);
    return key;
  }
}
