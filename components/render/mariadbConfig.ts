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
 * In a Galera cluster, node 1 founds the cluster on a fresh or former single-server data directory and runs
 * the init SQL then; any node founds when its grastate.dat says safe_to_bootstrap: 1 (below); every other
 * start joins, so a restarted node never splits the cluster.
 *
 * A whole cluster stopped (a Docker engine or host restart: SIGTERM to every node, at once or one after another
 * in any order) must come back by itself, from the most advanced node, without an acknowledged write lost.
 * Three rules, each Galera's own semantics, none needing a node to know another's state (docs/self-healing.md):
 * 1. The last node to leave a primary component cleanly was alone in it; Galera then writes
 *    `safe_to_bootstrap: 1` into its grastate.dat (replicator_smm: safe_to_bootstrap = the last primary view had
 *    one member) — no other node can hold a write it lacks. That node founds (`--wsrep-new-cluster`), whichever
 *    it is; the others join it. (Before, only node 1 could found: the last to leave is often another.)
 * 2. When no node was left alone (the nodes left together, or lost each other), the members of the last primary
 *    component re-form it from their saved view (Galera's pc.recovery, gvwstate.dat) once all of them are back;
 *    Galera's state exchange then takes the most advanced state. A clean shutdown deletes gvwstate.dat, so the
 *    script keeps mariadbd as its child and, on SIGTERM, copies the view aside before passing the signal on;
 *    the next start puts it back.
 * 3. A node that left earlier saved an older, larger view; when it is back first, the component holds every
 *    member of its view yet they came from a later primary, so no one may re-form ("no nodes coming from prim
 *    view"). A node whose restored view is that outdated falls behind the others anyway (they stayed in a
 *    primary component after it left): when it sits in a non-primary component as large as its view for
 *    VIEW_WAIT_S seconds, its watcher stops it, the view is dropped, and it starts again as a plain joiner —
 *    the later view's members then re-form alone, and it joins them. Dropping a view never founds anything.
 */
/** Seconds a node with a restored view may sit in a non-primary component of its view's size before its view counts as outdated. */
export const VIEW_WAIT_S = 10;
/**
 * Seconds a node that dropped its outdated view stays away before it joins: the others must first notice it is gone
 * (Galera's evs suspect and inactive timeouts: ~10 s measured) and re-form their view without it. Back too early it
 * is in their view again, and as a plain joiner it gives up after pc.wait_prim_timeout (30 s), which also ends it.
 */
export const VIEW_REJOIN_DELAY_S = 20;
/** The watcher's order to the script: restart mariadbd without the restored view (rule 3 above). */
export const VIEW_OUTDATED_MARKER = "lchost-view-outdated";
/** A Galera node's run: gvwstate.dat kept across a SIGTERM, an outdated view dropped (see renderDatabaseStartScript); mariadbd's exit status is the script's. */
const galeraRun = [
  'SAVED="$DATADIR/gvwstate.dat.lchost"',
  `OUTDATED="$DATADIR/${VIEW_OUTDATED_MARKER}"`,
  'rm -f "$OUTDATED"',
  'if [ -f "$SAVED" ]; then',
  '  [ -f "$DATADIR/gvwstate.dat" ] || mv "$SAVED" "$DATADIR/gvwstate.dat"',
  '  rm -f "$SAVED"',
  "fi",
  "# members of the view this start may re-form from (none when it founds)",
  "VIEW=0",
  `if [ -z "$EXTRA" ] && [ -f "$DATADIR/gvwstate.dat" ]; then VIEW=$(grep -c "^member:" "$DATADIR/gvwstate.dat" || true); fi`,
  "# Galera tells its notify command every view (also a non-primary one, before the server answers SQL): the watcher reads it",
  `SOCK=$(sed -n "s/^socket *= *//p" "$CONFIG" | tail -n 1)`,
  'RUNDIR=$(dirname "${SOCK:-/run/mysqld/mysqld.sock}")',
  'NOTIFY="$RUNDIR/lchost-wsrep-notify"',
  'rm -f "$RUNDIR/lchost-wsrep-view"',
  "NOTIFYOPT=",
  'if [ "$VIEW" -gt 0 ]; then',
  `  printf '%s\\n' '#!/bin/sh' 'P=; M=' 'while [ $# -gt 0 ]; do case "$1" in --primary) P="$2"; shift ;; --members) M="$2"; shift ;; esac; shift; done' '[ -n "$P" ] || exit 0' 'echo "$P $(echo "$M" | tr , "\\n" | grep -c .)" >"$(dirname "$0")/lchost-wsrep-view"' >"$NOTIFY"`,
  '  chmod 755 "$NOTIFY"',
  '  NOTIFYOPT="--wsrep-notify-cmd=$NOTIFY"',
  "fi",
  "STOPPING=0",
  'run() { mariadbd --defaults-extra-file="$CONFIG" --user=mysql --datadir="$DATADIR" $EXTRA $NOTIFYOPT & PID=$!; }',
  "watch() {",
  "  STUCK=0",
  '  while kill -0 "$PID" 2>/dev/null; do',
  "    sleep 1",
  '    S=$(cat "$RUNDIR/lchost-wsrep-view" 2>/dev/null)',
  '    case "$S" in',
  '      "yes "*) return 0 ;;',
  '      "no $VIEW") STUCK=$((STUCK + 1)) ;;',
  "      *) STUCK=0 ;;",
  "    esac",
  `    if [ "$STUCK" -ge ${VIEW_WAIT_S} ]; then`,
  `      echo "lchost: non-primary with all $VIEW members of the restored view for ${VIEW_WAIT_S} s: the view is outdated (others left later); restarting as a plain joiner" >&2`,
  '      : >"$OUTDATED"',
  "      # mariadbd still waiting for a primary component does not act on SIGTERM yet; it has written nothing: SIGKILL after 3 s",
  '      kill -TERM "$PID" 2>/dev/null',
  "      for _ in 1 2 3; do",
  "        sleep 1",
  '        kill -0 "$PID" 2>/dev/null || return 0',
  "      done",
  '      kill -KILL "$PID" 2>/dev/null',
  "      return 0",
  "    fi",
  "  done",
  "}",
  'stop() { STOPPING=1; if [ -f "$DATADIR/gvwstate.dat" ]; then cp -p "$DATADIR/gvwstate.dat" "$SAVED"; fi; kill -TERM "$PID" 2>/dev/null || true; }',
  "trap stop TERM INT",
  "set +e",
  "run",
  'WATCHER=""',
  'if [ "$VIEW" -gt 0 ]; then watch & WATCHER=$!; fi',
  "while :; do",
  '  wait "$PID"',
  "  RC=$?",
  '  kill -0 "$PID" 2>/dev/null && continue # wait returned for the trap, not for the exit',
  '  if [ "$STOPPING" = 0 ] && [ -f "$OUTDATED" ]; then',
  '    rm -f "$OUTDATED" "$DATADIR/gvwstate.dat" "$SAVED"',
  `    # out of the way until the others noticed it is gone and re-formed their view; a joiner back sooner would be in it again`,
  `    sleep ${VIEW_REJOIN_DELAY_S} & wait $!`,
  '    [ "$STOPPING" = 0 ] || break',
  "    NOTIFYOPT=",
  "    run",
  "    continue",
  "  fi",
  "  break",
  "done",
  'if [ -n "$WATCHER" ]; then kill "$WATCHER" 2>/dev/null; fi',
  'rm -f "$OUTDATED"',
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
      ? 'if [ "$FRESH" = 0 ] && [ -f "$DATADIR/grastate.dat" ] && grep -q "^safe_to_bootstrap: *1" "$DATADIR/grastate.dat"; then EXTRA="--wsrep-new-cluster"; fi # the last to leave founds'
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
