/**
 * The balancer pair of a High Availability stack spread over hosts (`lchost:balancer`, docs/hosts.md
 * "The balancer pair"): two HAProxy nodes on the first two hosts of `lchost:hosts`, holding the customer's
 * virtual IP by VRRP (keepalived). This module holds the key's settings, its defaults and the checks that
 * need the hosts' addresses; pure, no I/O.
 */
import * as net from "net";

/** `lchost:balancer`, defaults filled. */
export interface BalancerSettings {
  /** The customer's virtual IP (IPv4), held by the active node of the pair. */
  virtualIp: string;
  /** The network of the balancer hosts' addresses is `<address>/<prefixLength>`; the VIP must be in it. */
  prefixLength: number;
  /** VRRP virtual router id (1–255), unique among the VRRP instances on that network. */
  vrrpRouterId: number;
  /** VRRP advertisement interval (VRRPv3 counts in centiseconds). */
  advertIntervalMs: number;
  /** The hosts' network interface the VIP is added to. */
  interface: string;
}

export const BALANCER_DEFAULTS = { prefixLength: 24, advertIntervalMs: 250, interface: "eth0" } as const;
/** Linux interface names: at most 15 characters, no '/', no white space. */
export const INTERFACE_NAME = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}$";

/** The 32-bit number of a dotted IPv4 address (caller checked net.isIPv4). */
export function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether two IPv4 addresses are in the same network of the given prefix length. */
export function sameIpv4Network(a: string, b: string, prefixLength: number): boolean {
  const size = 2 ** (32 - prefixLength);
  return Math.floor(ipv4ToNumber(a) / size) === Math.floor(ipv4ToNumber(b) / size);
}

/** The default virtual router id: the VIP's last octet (distinct for distinct VIPs in a /24), 0 and 255 mapped into 1–254. */
export function defaultVrrpRouterId(virtualIp: string): number {
  const last = ipv4ToNumber(virtualIp) % 256;
  return last === 0 ? 1 : last === 255 ? 254 : last;
}

/** `lchost:balancer` as written (schema-checked) with its defaults filled. */
export function balancerSettings(raw: {
  virtualIp: string;
  prefixLength?: number;
  vrrpRouterId?: number;
  advertIntervalMs?: number;
  interface?: string;
}): BalancerSettings {
  return {
    virtualIp: raw.virtualIp,
    prefixLength: raw.prefixLength ?? BALANCER_DEFAULTS.prefixLength,
    vrrpRouterId: raw.vrrpRouterId ?? (net.isIPv4(raw.virtualIp) ? defaultVrrpRouterId(raw.virtualIp) : 1),
    advertIntervalMs: raw.advertIntervalMs ?? BALANCER_DEFAULTS.advertIntervalMs,
    interface: raw.interface ?? BALANCER_DEFAULTS.interface,
  };
}

/**
 * The VIP against the stack's hosts: an IPv4 address in the network of both balancer hosts (the first two,
 * where `placeParts` puts the pair; `<host address>/prefixLength`), neither that network's own nor its
 * broadcast address, and no host's own address. Hosts whose address is not known yet (inventory names not
 * resolved) are skipped; call again with resolved hosts. Each problem names `lchost:balancer.virtualIp`.
 */
export function balancerProblems(
  balancer: { virtualIp: unknown; prefixLength?: unknown },
  hosts: Array<{ name: string; address?: string } | undefined>,
): string[] {
  const key = "lchost:balancer.virtualIp";
  const vip = balancer.virtualIp;
  if (typeof vip !== "string") return [];
  if (!net.isIPv4(vip)) return [`${key}: ${JSON.stringify(vip)} is not an IPv4 address (e.g. 10.20.0.100)`];
  const prefix = typeof balancer.prefixLength === "number" ? balancer.prefixLength : BALANCER_DEFAULTS.prefixLength;
  const problems: string[] = [];
  const size = 2 ** (32 - prefix);
  const offset = ipv4ToNumber(vip) % size;
  if (size > 2 && (offset === 0 || offset === size - 1)) {
    problems.push(
      `${key}: ${vip} is the ${offset === 0 ? "network" : "broadcast"} address of its /${prefix} network (lchost:balancer.prefixLength); choose a host address in it`,
    );
  }
  hosts.slice(0, 2).forEach((h, i) => {
    if (!h?.address || !net.isIPv4(h.address)) {
      if (h?.address)
        problems.push(
          `${key}: balancer host ${JSON.stringify(h.name)} (lchost:hosts[${i}]) has address ${h.address}; the pair's VRRP needs IPv4 host addresses`,
        );
      return;
    }
    if (!sameIpv4Network(vip, h.address, prefix)) {
      problems.push(
        `${key}: ${vip} is outside the network of balancer host ${JSON.stringify(h.name)} (lchost:hosts[${i}], ${h.address}/${prefix}); the VIP moves between the balancer hosts, so it must be in their network (lchost:balancer.prefixLength: ${prefix})`,
      );
    }
  });
  hosts.forEach((h, i) => {
    if (h?.address === vip)
      problems.push(`${key}: ${vip} is the address of host ${JSON.stringify(h.name)} (lchost:hosts[${i}]); the VIP must be an address of its own`);
  });
  return problems;
}
