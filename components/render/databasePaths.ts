/** Where the database's files are, the same on Docker and Kubernetes (one layout, one renderer). Pure: the heal service reads it without loading Pulumi. */
export const DATABASE_PATHS = {
  datadir: "/var/lib/mysql",
  config: "/etc/lchost/db/90-lchost.cnf",
  start: "/etc/lchost/db/start.sh",
  init: "/etc/lchost/db/init.sql",
} as const;
