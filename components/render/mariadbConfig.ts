/**
 * my.cnf for the single database servers and the Galera cluster nodes. Pure: the components upload
 * this text into the database containers, and the real-runtime tests start mariadbd with it.
 */
export interface MariadbServerSpec {
  port: number;
  bindAddress: string;
  /** Paths are only set where the caller runs mariadbd itself (tests, sandbox); containers use the image's. */
  datadir?: string;
  socket?: string;
  pidFile?: string;
  serverId?: number;
  innodbBufferPoolMb?: number;
}

export interface GaleraNodeSpec extends MariadbServerSpec {
  clusterName: string;
  nodeName: string;
  /** Address other nodes reach this node on. */
  nodeAddress: string;
  /** Every node's group-communication address, host:port, this node included. */
  clusterAddresses: string[];
  /** Ports of this node's Galera channels (group communication, IST, SST). */
  gcommPort: number;
  istPort: number;
  sstPort: number;
  /** Address this node listens on for group communication (default 0.0.0.0). */
  listenAddress?: string;
  sstMethod?: "rsync" | "mariabackup";
  /**
   * Where the IST receiver binds when `nodeAddress` is not this node's own (a container reached through its
   * host's published port: the host's address is advertised, the container binds 0.0.0.0). Absent: nodeAddress.
   */
  istBindAddress?: string;
}

function serverSection(spec: MariadbServerSpec): string[] {
  const l = [
    "[mysqld]",
    `port = ${spec.port}`,
    `bind-address = ${spec.bindAddress}`,
    "character-set-server = utf8mb4",
    "collation-server = utf8mb4_unicode_ci",
    "default-storage-engine = InnoDB",
    "innodb_flush_log_at_trx_commit = 1",
    `innodb_buffer_pool_size = ${spec.innodbBufferPoolMb ?? 128}M`,
    "skip-name-resolve",
    "max_connections = 300",
  ];
  if (spec.datadir) l.push(`datadir = ${spec.datadir}`);
  if (spec.socket) l.push(`socket = ${spec.socket}`);
  if (spec.pidFile) l.push(`pid-file = ${spec.pidFile}`);
  if (spec.serverId) l.push(`server-id = ${spec.serverId}`);
  return l;
}

export function renderMariadbConfig(spec: MariadbServerSpec): string {
  return ["# Rendered by lchost (components/render/mariadbConfig.ts).", ...serverSection(spec), ""].join("\n");
}

export function renderGaleraNodeConfig(spec: GaleraNodeSpec): string {
  if (spec.clusterAddresses.length < 3) {
    throw new Error(`a Galera cluster needs at least 3 nodes for quorum after one failure; got ${spec.clusterAddresses.length}`);
  }
  const listen = spec.listenAddress ?? "0.0.0.0";
  return [
    "# Rendered by lchost (components/render/mariadbConfig.ts).",
    ...serverSection(spec),
    "binlog_format = ROW",
    "innodb_autoinc_lock_mode = 2",
    "wsrep_on = ON",
    "wsrep_provider = /usr/lib/galera/libgalera_smm.so",
    `wsrep_cluster_name = ${spec.clusterName}`,
    `wsrep_cluster_address = gcomm://${spec.clusterAddresses.join(",")}`,
    `wsrep_node_name = ${spec.nodeName}`,
    `wsrep_node_address = ${spec.nodeAddress}`,
    `wsrep_provider_options = "gmcast.listen_addr=tcp://${listen}:${spec.gcommPort};ist.recv_addr=${spec.nodeAddress}:${spec.istPort}${spec.istBindAddress ? `;ist.recv_bind=${spec.istBindAddress}` : ""}"`,
    `wsrep_sst_receive_address = ${spec.nodeAddress}:${spec.sstPort}`,
    `wsrep_sst_method = ${spec.sstMethod ?? "rsync"}`,
    "",
  ].join("\n");
}

/**
 * Start script of a database container: creates the data directory on first start, then runs mariadbd
 * with the rendered config. A single server runs the init SQL (schema, users; idempotent) at every start.
 * In a Galera cluster, node 1 founds the cluster only when no other node can have newer data — on a
 * fresh or former single-server data directory, or when grastate.dat says safe_to_bootstrap: 1 — and
 * runs the init SQL then; every other start joins, so a restarted node never splits the cluster.
 *
 * A whole cluster stopped at once (a Docker engine or host restart: SIGTERM to every node together) must come
 * back by itself. Galera's own pc.recovery re-forms the last primary component when all its members return —
 * from gvwstate.dat, which a crash leaves behind but a clean shutdown deletes; after a clean shutdown of every
 * node no node may bootstrap (safe_to_bootstrap: 0 everywhere) and every start fails for good. So a Galera
 * node's script keeps mariadbd as its child: on SIGTERM it copies gvwstate.dat aside before passing the
 * signal on, and the next start puts it back — the node restarts exactly as after a crash at the moment of
 * the stop, the case Galera recovers from: the members re-form from their saved view once all are back, the
 * most advanced one's state wins, and a node that was left alone last re-forms first (measured on this
 * machine: 3 nodes stopped together re-formed in 12 s with every row; without the copy none ever started).
 */
/** A Galera node's run: gvwstate.dat kept across a SIGTERM (see renderDatabaseStartScript); mariadbd's exit status is the script's. */
const galeraRun = [
  'SAVED="$DATADIR/gvwstate.dat.lchost"',
  'if [ -f "$SAVED" ]; then',
  '  [ -f "$DATADIR/gvwstate.dat" ] || mv "$SAVED" "$DATADIR/gvwstate.dat"',
  '  rm -f "$SAVED"',
  "fi",
  'mariadbd --defaults-extra-file="$CONFIG" --user=mysql --datadir="$DATADIR" $EXTRA &',
  "PID=$!",
  'stop() { if [ -f "$DATADIR/gvwstate.dat" ]; then cp -p "$DATADIR/gvwstate.dat" "$SAVED"; fi; kill -TERM "$PID" 2>/dev/null || true; }',
  "trap stop TERM INT",
  "set +e",
  "while :; do",
  '  wait "$PID"',
  "  RC=$?",
  '  kill -0 "$PID" 2>/dev/null || break # wait returned for the trap, not for the exit',
  "done",
  'exit "$RC"',
];

/**
 * The one-time founding order of `lchost heal` (heal/playbooks/galeraFullRecovery.ts): when no node of the
 * cluster runs and Galera's own pc.recovery cannot re-form it (a member lost for good, or no saved views), the
 * playbook chooses the most advanced node (heal/galeraRecovery.ts), sets `safe_to_bootstrap: 1` on it alone,
 * leaves this marker in its data directory and starts it; the script consumes the marker, so the next start
 * of the same node joins again. Any node may be the one: the most advanced is not always node 1.
 */
export const HEAL_BOOTSTRAP_MARKER = "lchost-heal-bootstrap";
const healBootstrap = [
  `if [ -f "$DATADIR/${HEAL_BOOTSTRAP_MARKER}" ]; then rm -f "$DATADIR/${HEAL_BOOTSTRAP_MARKER}"; EXTRA="--wsrep-new-cluster"; fi # lchost heal chose this node`,
];

export function renderDatabaseStartScript(opts: {
  datadir: string;
  configPath: string;
  initFilePath: string;
  /** Absent: a single server. */
  galera?: { bootstrapNode: boolean };
}): string {
  const founding = opts.galera?.bootstrapNode
    ? 'if [ "$FRESH" = 1 ] || [ ! -f "$DATADIR/grastate.dat" ] || grep -q "^safe_to_bootstrap: *1" "$DATADIR/grastate.dat"; then EXTRA="--wsrep-new-cluster --init-file=$INIT"; fi'
    : opts.galera
      ? "# Not the bootstrap node: always join the cluster."
      : 'EXTRA="--init-file=$INIT"';
  return [
    "#!/bin/sh",
    "# Rendered by lchost (components/render/mariadbConfig.ts).",
    "set -eu",
    `DATADIR=${opts.datadir}`,
    `CONFIG=${opts.configPath}`,
    `INIT=${opts.initFilePath}`,
    'mkdir -p "$DATADIR" /run/mysqld && chown -R mysql:mysql "$DATADIR" /run/mysqld',
    "FRESH=0",
    'if [ ! -d "$DATADIR/mysql" ]; then',
    '  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null',
    "  FRESH=1",
    "fi",
    "EXTRA=",
    founding,
    ...(opts.galera ? healBootstrap : []),
    ...(opts.galera ? galeraRun : ['exec mariadbd --defaults-extra-file="$CONFIG" --user=mysql --datadir="$DATADIR" $EXTRA']),
    "",
  ].join("\n");
}
