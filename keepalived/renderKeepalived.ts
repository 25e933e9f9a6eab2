/**
 * keepalived.conf for the two nodes of a High Availability balancer pair (docs/hosts.md, "The balancer pair"):
 * each node runs HAProxy with the customer's one rendered haproxy.cfg and keepalived holding the customer's
 * virtual IP by VRRP. Pure: text in, text out.
 *
 * Choices (argued in docs/hosts.md):
 * - VRRPv3 with sub-second adverts (`advert_int` 0.25 s by default): a silent node is taken over after
 *   3 × advert + skew, about 0.9 s. VRRPv2 counts adverts in whole seconds (3.5 s at priority 128).
 * - No VRRP `authentication`: VRRPv3 has none (RFC 5798; keepalived ignores the block with a warning) and v2's
 *   PASS sends its 8 characters in clear in every advert, so it only guards against a misconfigured neighbour.
 *   Instead: unicast adverts to the one peer (`unicast_peer`), `check_unicast_src` (adverts from any other
 *   source are dropped) and firewall rules that accept VRRP on the host only from the peer.
 * - Both nodes `state BACKUP` with `nopreempt`: the first start elects the higher priority (the first host),
 *   and a node that comes back does not take the VIP back (which would cut its clients a second time).
 * - A `vrrp_script` that asks HAProxy on this node for its monitor URI (`monitor-uri` of renderHaproxyConfig's
 *   `monitorPort`) — it fails when HAProxy does not serve, not only when it is gone — tracked without weight:
 *   a failing check puts the instance into FAULT, the node gives up the VIP at once (priority-0 advert) and
 *   the peer takes it within its skew time.
 */
import * as net from "net";
import { BalancerSettings, INTERFACE_NAME } from "../model/balancerPair";

export interface BalancerNode {
  /** The host's name (lchost:hosts): keepalived's router_id. */
  name: string;
  /** The host's address: this node's unicast_src_ip and its peer's unicast_peer. */
  address: string;
}

export interface KeepalivedPairSpec {
  /** The customer's DNS label: names the VRRP instance. */
  customer: string;
  /** The pair in order: the first runs with the higher priority (placeParts puts it on lchost:hosts[0]). */
  nodes: [BalancerNode, BalancerNode];
  balancer: BalancerSettings;
  /** HAProxy's monitor frontend on each node (renderHaproxyConfig `monitorPort`, bound on 127.0.0.1). */
  haproxyMonitor: { port: number; path: string };
  /** Where each node keeps the check script (an absolute path no other user can write). */
  checkScriptPath: string;
}

/** What one node gets: its keepalived.conf, the HAProxy check script and its host firewall's VRRP rules. */
export interface KeepalivedNodeFiles {
  host: string;
  keepalivedConf: string;
  checkScript: string;
  /** iptables arguments (filter table), in order: VRRP from the peer only. */
  firewallRules: string[][];
}

export const VRRP_PRIORITIES = [150, 100] as const;
/** The HAProxy check: every second, 1 s to answer, 2 failures to give up the VIP, 2 successes to be eligible again. */
export const HAPROXY_CHECK = { intervalS: 1, timeoutS: 1, fall: 2, rise: 2 } as const;

const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const SAFE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MONITOR_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** The nodes' and VIP's faults, each naming the field; the stack key was checked by model/ already. */
function specProblems(spec: KeepalivedPairSpec): string[] {
  const problems: string[] = [];
  if (!SAFE_NAME.test(spec.customer)) problems.push(`customer: ${JSON.stringify(spec.customer)} is not a DNS label`);
  spec.nodes.forEach((n, i) => {
    if (!SAFE_NAME.test(n.name)) problems.push(`nodes[${i}].name: ${JSON.stringify(n.name)} is not a host name`);
    if (!net.isIPv4(n.address)) problems.push(`nodes[${i}].address: ${JSON.stringify(n.address)} is not an IPv4 address`);
  });
  if (spec.nodes[0].address === spec.nodes[1].address) problems.push(`nodes[1].address: ${spec.nodes[1].address} is also nodes[0]'s; the pair needs two hosts`);
  const b = spec.balancer;
  if (!net.isIPv4(b.virtualIp)) problems.push(`balancer.virtualIp: ${JSON.stringify(b.virtualIp)} is not an IPv4 address`);
  if (spec.nodes.some((n) => n.address === b.virtualIp)) problems.push(`balancer.virtualIp: ${b.virtualIp} is a node's own address`);
  if (!Number.isInteger(b.prefixLength) || b.prefixLength < 8 || b.prefixLength > 30) problems.push(`balancer.prefixLength: ${b.prefixLength} is not 8 to 30`);
  if (!Number.isInteger(b.vrrpRouterId) || b.vrrpRouterId < 1 || b.vrrpRouterId > 255)
    problems.push(`balancer.vrrpRouterId: ${b.vrrpRouterId} is not 1 to 255`);
  if (!Number.isInteger(b.advertIntervalMs) || b.advertIntervalMs < 10 || b.advertIntervalMs > 40950 || b.advertIntervalMs % 10 !== 0)
    problems.push(`balancer.advertIntervalMs: ${b.advertIntervalMs} is not a multiple of 10 ms (VRRPv3 counts centiseconds) from 10 to 40950`);
  if (!new RegExp(INTERFACE_NAME).test(b.interface)) problems.push(`balancer.interface: ${JSON.stringify(b.interface)} is not an interface name`);
  if (!SAFE_PATH.test(spec.checkScriptPath))
    problems.push(`checkScriptPath: ${JSON.stringify(spec.checkScriptPath)} is not an absolute path of letters, digits, '.', '_', '-', '/'`);
  const m = spec.haproxyMonitor;
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535) problems.push(`haproxyMonitor.port: ${m.port} is not a port`);
  if (!MONITOR_PATH.test(m.path)) problems.push(`haproxyMonitor.path: ${JSON.stringify(m.path)} is not a plain path`);
  return problems;
}

/**
 * The check script: exit 0 only when HAProxy on this node answers its monitor URI with 200 (bash's /dev/tcp,
 * no curl needed). A dead HAProxy refuses the connection at once; a hung one is ended by keepalived's timeout.
 */
export function renderHaproxyCheckScript(monitor: { port: number; path: string }): string {
  return [
    "#!/bin/bash",
    "# keepalived vrrp_script (rendered by lchost): is HAProxy on this node serving? 0 = yes.",
    `exec 3<>/dev/tcp/127.0.0.1/${monitor.port} || exit 1`,
    `printf 'GET ${monitor.path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 || exit 1`,
    "read -r -t 1 status <&3 || exit 1",
    `[[ "$status" == HTTP/1.?" 200 "* ]]`,
    "",
  ].join("\n");
}

function renderNodeConf(spec: KeepalivedPairSpec, self: BalancerNode, peer: BalancerNode, priority: number): string {
  const b = spec.balancer;
  const c = HAPROXY_CHECK;
  const advertS = (b.advertIntervalMs / 1000).toFixed(2);
  return [
    `# keepalived.conf of ${self.name}, balancer node of ${spec.customer} (rendered by lchost; docs/hosts.md "The balancer pair")`,
    "global_defs {",
    `  router_id ${self.name}`,
    "  script_user root",
    "  enable_script_security",
    "}",
    "",
    "vrrp_script haproxy_serving {",
    `  script "${spec.checkScriptPath}"`,
    `  interval ${c.intervalS}`,
    `  timeout ${c.timeoutS}`,
    `  fall ${c.fall}`,
    `  rise ${c.rise}`,
    "}",
    "",
    `vrrp_instance lc_${spec.customer.replace(/-/g, "_")} {`,
    "  version 3",
    "  state BACKUP",
    "  nopreempt",
    `  interface ${b.interface}`,
    `  virtual_router_id ${b.vrrpRouterId}`,
    `  priority ${priority}`,
    `  advert_int ${advertS}`,
    `  unicast_src_ip ${self.address}`,
    "  unicast_peer {",
    `    ${peer.address}`,
    "  }",
    "  check_unicast_src",
    "  virtual_ipaddress {",
    `    ${b.virtualIp}/${b.prefixLength} dev ${b.interface}`,
    "  }",
    "  track_script {",
    "    haproxy_serving",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** The two nodes' files; throws an Error naming every faulty field. */
export function renderKeepalivedPair(spec: KeepalivedPairSpec): [KeepalivedNodeFiles, KeepalivedNodeFiles] {
  const problems = specProblems(spec);
  if (problems.length) throw new Error(`balancer pair of ${JSON.stringify(spec.customer)}: ${problems.join("; ")}`);
  const checkScript = renderHaproxyCheckScript(spec.haproxyMonitor);
  const node = (i: 0 | 1): KeepalivedNodeFiles => {
    const self = spec.nodes[i];
    const peer = spec.nodes[1 - i];
    return {
      host: self.name,
      keepalivedConf: renderNodeConf(spec, self, peer, VRRP_PRIORITIES[i]),
      checkScript,
      firewallRules: [
        ["-A", "INPUT", "-p", "vrrp", "-s", `${peer.address}/32`, "-d", `${self.address}/32`, "-j", "ACCEPT"],
        ["-A", "INPUT", "-p", "vrrp", "-j", "DROP"],
      ],
    };
  };
  return [node(0), node(1)];
}
