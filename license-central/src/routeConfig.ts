/** Per-route facts the servers' hooks decide on (Fastify route `config`), instead of looking at the URL. */
export interface LcRouteConfig {
  /** The route may write (depot, web services, admin ticket creation): the maintenance gate applies and it is counted in flight. */
  writes?: boolean;
}

export const WRITES: LcRouteConfig = { writes: true };
