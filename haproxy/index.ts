/**
 * Everything lchost knows about HAProxy: rendering haproxy.cfg (gateways, balancers, the per-host
 * entry), reading it back, rewriting it for the sandbox, the admin socket and its `show stat` answer.
 * A pure layer: it imports no component, edition, program or CLI module; they all come here.
 */
export * from "./renderConfig";
export * from "./renderHostEntry";
export * from "./parseConfig";
export * from "./translateConfig";
export * from "./adminSocket";
export * from "./showStat";
