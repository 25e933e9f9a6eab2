/**
 * Is a request path already in the form the gateway routes on? The HTTPS gateway normalizes the URI
 * (HAProxy `normalize-uri`: percent-decode unreserved characters, merge slashes, resolve dot segments)
 * and refuses encoded separators. A service behind it must not route anything under a name the gateway
 * did not see, so it refuses every path that normalization would change, or that could mean another
 * path to some decoder: such a request did not come through the gateway, or the two disagree.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Characters allowed literally in a path (RFC 3986 pchar and "/"), besides "%" escapes. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

/**
 * Why the raw request target's path (before "?") is not canonical, or null when it is. The reason names
 * the rule, never echoes the path (it may be long, or carry a secret such as a ticket code).
 */
export function nonCanonicalPathReason(rawUrl: string): string | null {
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!path.startsWith("/")) return "must start with /";
  if (path.includes("\\")) return "contains a backslash";
  if (!PATH_CHARS.test(path)) {
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(path) ? "contains non-ASCII characters" : "contains characters that must be percent-encoded";
  }
  for (let i = path.indexOf("%"); i !== -1; i = path.indexOf("%", i + 1)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return "contains a malformed percent escape";
    const code = parseInt(hex, 16);
    const ch = String.fromCharCode(code);
    if (UNRESERVED.test(ch)) return `percent-encodes the unreserved character ${JSON.stringify(ch)}`;
    if (ch === "/" || ch === "\\") return "contains an encoded path separator";
    if (code < 0x20 || code === 0x7f) return "contains an encoded control character";
    if (ch === "%") return "contains an encoded percent sign (double encoding)";
    if (hex !== hex.toUpperCase()) return "uses lower-case hex in a percent escape";
  }
  const segments = path.split("/").slice(1);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg === "." || seg === "..") return "contains a dot segment";
    if (seg === "" && i < segments.length - 1) return "contains an empty segment (//)";
  }
  return null;
}
