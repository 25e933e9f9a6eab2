/** Where an edition keeps a customer's data: a schema on the shared server, an own server, a Galera cluster. */
export const DATABASE_KINDS = ["shared-tenant", "single", "cluster"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];
