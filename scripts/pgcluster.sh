# shellcheck shell=bash
#
# pgcluster.sh - throwaway PostgreSQL 15 clusters for the integration tests, the demo and the
# benchmark. Source it; it defines functions and sets no shell options.
#
#   source scripts/pgcluster.sh
#   trap pgc_cleanup EXIT          # stops (and removes) the clusters this shell created
#   pgc_start src                  # initdb + start in "$PGC_ROOT/src"; prints nothing
#   pgc_psql src postgres -c 'CREATE DATABASE app'
#   psql "$(pgc_dsn src app)"      # host=<socket dir> port=N dbname=app user=<superuser>
#   pgc_compare src app dst app    # per-table fingerprints; non-zero when any table differs
#
# A cluster NAME lives in "$PGC_ROOT/NAME" (data/, postgres.log, sock/, pgc.env). PGC_ROOT
# defaults to "$PWD/tmp/clusters" and is made absolute and exported on first use, so processes
# started later (tests) find the clusters through it. Everything about a cluster is recorded in
# "$PGC_ROOT/NAME/pgc.env"; pgc_port & co read it, so they work from any process that has
# PGC_ROOT. pgc_start also exports PGC_<NAME>_HOST, _PORT, _USER and _DIR (NAME upper-cased,
# other characters than [A-Z0-9] turned into "_").
#
# Each cluster listens on a unix socket in its own directory and on 127.0.0.1 at a free port,
# found by scanning upward from PGC_PORT_BASE (55432). Authentication is trust. As root, the
# cluster runs as the OS user "postgres" (initdb refuses root) and its superuser is "postgres";
# as another user it runs as that user, whose name is then the superuser (a role "postgres" is
# created too, so dumps and schema files that say OWNER TO postgres load anywhere).
#
# Functions (NAME is a cluster, DB a database):
#   pgc_start NAME              initdb + start (prints nothing); pgc_init NAME: initdb only
#   pgc_stop NAME [MODE]        pg_ctl stop (immediate); pgc_restart NAME [MODE]: restart (fast)
#                               or start again a stopped cluster, same port, same data
#   pgc_destroy NAME            stop and delete;  pgc_stop_all: stop every cluster in PGC_ROOT
#   pgc_cleanup                 for traps: stop + delete the clusters this shell created
#   pgc_running NAME            true when its postmaster is alive;  pgc_list: the clusters
#   pgc_host/_port/_user NAME   socket directory, TCP port, superuser;  pgc_log, pgc_datadir
#   pgc_dsn NAME DB             "host=<socket dir> port=N dbname=DB user=U" (unix socket)
#   pgc_tcp_dsn NAME DB         the same through 127.0.0.1;  pgc_url NAME DB: postgresql://...
#   pgc_psql NAME DB [args]     psql -X -q -v ON_ERROR_STOP=1;  pgc_sql NAME DB SQL: -At -c SQL
#   pgc_createdb / pgc_dropdb NAME DB;  pgc_clonedb NAME TEMPLATE NEWDB (file copy, fast)
#   pgc_checksum NAME DB TABLE  "ROWS SHA256" of a table's rows as text, sorted (COLLATE "C")
#   pgc_compare N1 DB1 N2 DB2 [SCHEMA...]   every table of the source against the target
#   pgc_load_pagila NAME DB SCALE           shared pagila schema + tests/data/pagila-rows.sql
#   pgc_load_alltypes NAME DB               tests/data/alltypes.sql
#   pgc_pagila_schema                       path of the shared pagila schema file
#
# Settings: PGC_ROOT, PGC_BIN (default /usr/lib/postgresql/15/bin), PGC_PORT_BASE (55432),
# PGC_KEEP=1 (pgc_cleanup stops but does not delete), PGC_PAGILA_SCHEMA (path of the shared
# pagila schema file).

PGC_BIN=${PGC_BIN:-/usr/lib/postgresql/15/bin}
PGC_PORT_BASE=${PGC_PORT_BASE:-55432}
_PGC_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_PGC_REPO=$(cd "$_PGC_LIB_DIR/.." && pwd)

# Session settings that make both sides of a comparison print values alike.
_PGC_CMP_OPTIONS="-c timezone=UTC -c datestyle=ISO -c intervalstyle=postgres -c extra_float_digits=3 -c bytea_output=hex -c lc_monetary=C -c work_mem=64MB"

_pgc_err() { printf 'pgcluster: %s\n' "$*" >&2; }

# Fixes PGC_ROOT (absolute) and exports it. Must run in the caller's shell, not in $(...).
_pgc_setup_root() {
    PGC_ROOT=${PGC_ROOT:-$PWD/tmp/clusters}
    case $PGC_ROOT in
    /*) ;;
    *) PGC_ROOT=$PWD/$PGC_ROOT ;;
    esac
    export PGC_ROOT
}

_pgc_check_name() {
    if [[ ! ${1:-} =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
        _pgc_err "bad cluster name '${1:-}' (use letters, digits, _ . -)"
        return 1
    fi
}

# Runs a command as the cluster's OS owner: postgres when we are root, else ourselves.
_pgc_as_owner() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Prints the value of KEY recorded for cluster NAME.
_pgc_get() {
    local name=$1 key=$2 k v file
    _pgc_setup_root
    file=$PGC_ROOT/$name/pgc.env
    if [[ ! -r $file ]]; then
        _pgc_err "no cluster '$name' under $PGC_ROOT (start it with pgc_start $name)"
        return 1
    fi
    while IFS='=' read -r k v; do
        if [[ $k == "$key" ]]; then
            printf '%s\n' "$v"
            return 0
        fi
    done <"$file"
    _pgc_err "cluster '$name': nothing recorded for $key"
    return 1
}

_pgc_set() {
    local name=$1 key=$2 value=$3 file k v
    file=$PGC_ROOT/$name/pgc.env
    {
        if [[ -r $file ]]; then
            while IFS='=' read -r k v; do
                [[ $k == "$key" ]] || printf '%s=%s\n' "$k" "$v"
            done <"$file"
        fi
        printf '%s=%s\n' "$key" "$value"
    } >"$file.new" && mv -f -- "$file.new" "$file"
}

# Quotes a libpq conninfo value when it needs it.
_pgc_conninfo_value() {
    local v=$1
    if [[ -z $v || $v == *[[:space:]\'\\]* ]]; then
        v=${v//\\/\\\\}
        v=${v//\'/\\\'}
        printf "'%s'" "$v"
    else
        printf '%s' "$v"
    fi
}

# A SQL string literal (standard_conforming_strings on).
_pgc_sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

_pgc_port_in_use() {
    # A successful TCP connect means someone listens there.
    (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pgc_export_vars() {
    local name=$1 var
    var=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9' '_')
    printf -v "PGC_${var}_HOST" '%s' "$(_pgc_get "$name" host)"
    printf -v "PGC_${var}_PORT" '%s' "$(_pgc_get "$name" port)"
    printf -v "PGC_${var}_USER" '%s' "$(_pgc_get "$name" user)"
    printf -v "PGC_${var}_DIR" '%s' "$PGC_ROOT/$name"
    export "PGC_${var}_HOST" "PGC_${var}_PORT" "PGC_${var}_USER" "PGC_${var}_DIR"
}

# pgc_running NAME: true when the cluster's postmaster is alive.
pgc_running() {
    local pid
    _pgc_setup_root
    [[ -r $PGC_ROOT/$1/data/postmaster.pid ]] || return 1
    read -r pid <"$PGC_ROOT/$1/data/postmaster.pid" || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# pgc_init NAME: a fresh, stopped cluster (initdb + settings). pgc_start calls it; call it
# yourself only to run several initdb in parallel (pgc_init a & pgc_init b & wait).
pgc_init() {
    local name=${1:-} dir user sock tmpsock=0 old
    _pgc_check_name "$name" || return 1
    _pgc_setup_root
    dir=$PGC_ROOT/$name
    if [[ ! -x $PGC_BIN/initdb ]]; then
        _pgc_err "no initdb in $PGC_BIN (install postgresql-15 or set PGC_BIN)"
        return 1
    fi
    if pgc_running "$name"; then
        _pgc_err "cluster '$name' is already running in $dir (pgc_stop $name first)"
        return 1
    fi
    if [[ -r $dir/pgc.env ]]; then
        old=$(_pgc_get "$name" host 2>/dev/null)
        if [[ $(_pgc_get "$name" tmpsock 2>/dev/null) == 1 && -n $old ]]; then
            rm -rf -- "$old"
        fi
    fi
    rm -rf -- "$dir"
    mkdir -p -- "$dir" || return 1
    if ((EUID == 0)); then
        user=postgres
        # mktemp -d makes 0700 directories: let postgres reach its cluster directory.
        chmod go+rx -- "$PGC_ROOT" || return 1
        chown postgres: -- "$dir" || return 1
        if ! runuser -u postgres -- test -w "$dir"; then
            _pgc_err "the postgres OS user cannot write $dir (is a parent directory closed to it?); set PGC_ROOT to a path it can reach"
            return 1
        fi
    else
        user=$(id -un)
    fi
    # A unix socket path is limited to ~107 bytes, and the server adds "/.s.PGSQL.NNNNN".
    sock=$dir/sock
    if ((${#sock} > 85)); then
        sock=$(mktemp -d /tmp/pgc.XXXXXX) || return 1
        tmpsock=1
    else
        mkdir -p -- "$sock" || return 1
    fi
    if ((EUID == 0)); then chown postgres: -- "$sock" || return 1; fi

    if ! _pgc_as_owner "$PGC_BIN/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
        _pgc_err "initdb failed for '$name'; the end of $dir/initdb.log:"
        tail -n 15 "$dir/initdb.log" >&2
        return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- pgcluster.sh: a throwaway test cluster, speed over durability ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '${sock//\'/\'\'}'
include_if_exists = 'pgc_port.conf'
max_connections = 100
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
EOF
    {
        printf 'name=%s\n' "$name"
        printf 'user=%s\n' "$user"
        printf 'host=%s\n' "$sock"
        printf 'tmpsock=%s\n' "$tmpsock"
        printf 'data=%s\n' "$dir/data"
        printf 'log=%s\n' "$dir/postgres.log"
        printf 'owner_pid=%s\n' "$$"
        printf 'state=fresh\n'
    } >"$dir/pgc.env"
}

# Starts a stopped cluster on port $2, or on the next free port from PGC_PORT_BASE when $2 is
# empty. A port that turns out taken (another run raced us to it) makes it try the next one.
_pgc_launch() {
    local name=$1 want=${2:-} dir port attempt
    dir=$PGC_ROOT/$name
    port=${want:-$PGC_PORT_BASE}
    for ((attempt = 0; attempt < 50; attempt++)); do
        if [[ -z $want ]]; then
            while _pgc_port_in_use "$port"; do port=$((port + 1)); done
        fi
        printf "port = %d\n" "$port" >"$dir/data/pgc_port.conf"
        _pgc_set "$name" port "$port"
        local before=0
        [[ -r $dir/postgres.log ]] && before=$(wc -l <"$dir/postgres.log")
        if _pgc_as_owner "$PGC_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            start >"$dir/pg_ctl.out" 2>&1; then
            _pgc_set "$name" state started
            _pgc_export_vars "$name"
            return 0
        fi
        if [[ -z $want ]] && tail -n +"$((before + 1))" "$dir/postgres.log" 2>/dev/null |
            grep -q -e 'could not bind' -e 'could not create any TCP/IP sockets' \
                -e 'Address already in use'; then
            port=$((port + 1))
            continue
        fi
        _pgc_err "could not start cluster '$name' on port $port; the end of $dir/postgres.log:"
        tail -n 15 "$dir/postgres.log" >&2 2>/dev/null || cat "$dir/pg_ctl.out" >&2
        return 1
    done
    _pgc_err "no free port found for '$name' from $PGC_PORT_BASE"
    return 1
}

# pgc_start NAME: initdb + start a throwaway cluster. Prints nothing on success.
pgc_start() {
    local name=${1:-} user
    _pgc_check_name "$name" || return 1
    _pgc_setup_root
    if pgc_running "$name"; then
        _pgc_err "cluster '$name' is already running in $PGC_ROOT/$name (pgc_stop $name first)"
        return 1
    fi
    if [[ $(_pgc_get "$name" state 2>/dev/null) != fresh ]]; then
        pgc_init "$name" || return 1
    fi
    _pgc_launch "$name" || return 1
    user=$(_pgc_get "$name" user)
    if [[ $user != postgres ]]; then
        pgc_psql "$name" postgres -c \
            "DO \$\$BEGIN CREATE ROLE postgres SUPERUSER LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" ||
            return 1
    fi
}

# pgc_stop NAME [MODE]: stops the cluster (pg_ctl -m MODE, default immediate). Keeps its files.
pgc_stop() {
    local name=${1:-} mode=${2:-immediate}
    _pgc_check_name "$name" || return 1
    _pgc_setup_root
    pgc_running "$name" || return 0
    if ! _pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_ROOT/$name/data" -m "$mode" -w -t 60 \
        stop >/dev/null; then
        _pgc_err "could not stop cluster '$name'"
        return 1
    fi
}

# pgc_restart NAME [MODE]: restarts (pg_ctl -m MODE, default fast), or starts a stopped
# cluster again, on the same port and with its data.
pgc_restart() {
    local name=${1:-} mode=${2:-fast} dir port
    _pgc_check_name "$name" || return 1
    _pgc_setup_root
    dir=$PGC_ROOT/$name
    port=$(_pgc_get "$name" port) || return 1
    if pgc_running "$name"; then
        if ! _pgc_as_owner "$PGC_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -m "$mode" \
            -w -t 60 restart >"$dir/pg_ctl.out" 2>&1; then
            _pgc_err "could not restart cluster '$name'; the end of $dir/postgres.log:"
            tail -n 15 "$dir/postgres.log" >&2
            return 1
        fi
        return 0
    fi
    _pgc_launch "$name" "$port"
}

# pgc_destroy NAME: stops the cluster and deletes its files.
pgc_destroy() {
    local name=${1:-} sock
    _pgc_check_name "$name" || return 1
    _pgc_setup_root
    [[ -d $PGC_ROOT/$name ]] || return 0
    pgc_stop "$name" immediate || return 1
    if [[ $(_pgc_get "$name" tmpsock 2>/dev/null) == 1 ]]; then
        sock=$(_pgc_get "$name" host 2>/dev/null)
        [[ -n $sock ]] && rm -rf -- "$sock"
    fi
    rm -rf -- "${PGC_ROOT:?}/$name"
}

# Lists the clusters under PGC_ROOT, one name a line.
pgc_list() {
    local f
    _pgc_setup_root
    for f in "$PGC_ROOT"/*/pgc.env; do
        [[ -r $f ]] || continue
        f=${f%/pgc.env}
        printf '%s\n' "${f##*/}"
    done
}

# pgc_stop_all: stops every cluster under PGC_ROOT (immediate).
pgc_stop_all() {
    local name rc=0
    while IFS= read -r name; do
        pgc_stop "$name" || rc=1
    done < <(pgc_list)
    return "$rc"
}

# pgc_cleanup: for traps (trap pgc_cleanup EXIT). Stops the clusters that this shell (or its
# subshells) created and deletes them, unless PGC_KEEP=1. Keeps the exit status it was called
# with.
pgc_cleanup() {
    local rc=$? name
    while IFS= read -r name; do
        [[ $(_pgc_get "$name" owner_pid 2>/dev/null) == "$$" ]] || continue
        if [[ ${PGC_KEEP:-0} == 1 ]]; then
            pgc_stop "$name"
        else
            pgc_destroy "$name"
        fi
    done < <(pgc_list)
    rmdir -- "$PGC_ROOT" 2>/dev/null
    return "$rc"
}

# Connection details of cluster NAME.
pgc_host() { _pgc_get "${1:-}" host; }
pgc_port() { _pgc_get "${1:-}" port; }
pgc_user() { _pgc_get "${1:-}" user; }
pgc_log() { _pgc_get "${1:-}" log; }
pgc_datadir() { _pgc_get "${1:-}" data; }

# pgc_dsn NAME DB: "host=<socket dir> port=N dbname=DB user=SUPERUSER" (libpq conninfo).
pgc_dsn() {
    local host port user
    host=$(pgc_host "${1:-}") && port=$(pgc_port "$1") && user=$(pgc_user "$1") || return 1
    printf 'host=%s port=%s dbname=%s user=%s\n' "$(_pgc_conninfo_value "$host")" "$port" \
        "$(_pgc_conninfo_value "${2:-postgres}")" "$(_pgc_conninfo_value "$user")"
}

# pgc_tcp_dsn NAME DB: the same over TCP: "host=127.0.0.1 port=N dbname=DB user=SUPERUSER".
pgc_tcp_dsn() {
    local port user
    port=$(pgc_port "${1:-}") && user=$(pgc_user "$1") || return 1
    printf 'host=127.0.0.1 port=%s dbname=%s user=%s\n' "$port" \
        "$(_pgc_conninfo_value "${2:-postgres}")" "$(_pgc_conninfo_value "$user")"
}

# pgc_url NAME DB: postgresql://USER@127.0.0.1:PORT/DB (DB percent-encoded, byte by byte).
pgc_url() {
    local LC_ALL=C port user db=${2:-postgres} out='' c i
    port=$(pgc_port "${1:-}") && user=$(pgc_user "$1") || return 1
    for ((i = 0; i < ${#db}; i++)); do
        c=${db:i:1}
        if [[ $c == [A-Za-z0-9._~-] ]]; then out+=$c; else out+=$(printf '%%%02X' "'$c"); fi
    done
    printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$user" "$port" "$out"
}

# pgc_psql NAME DB [psql args...]: psql -X -q -v ON_ERROR_STOP=1 on that database.
pgc_psql() {
    local dsn
    dsn=$(pgc_dsn "${1:-}" "${2:-}") || return 1
    shift 2
    "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$dsn" "$@"
}

# pgc_sql NAME DB SQL: runs SQL and prints the result unaligned, without headers.
pgc_sql() { pgc_psql "${1:-}" "${2:-}" -At -c "${3:-}"; }

# pgc_createdb NAME DB: (re)creates an empty database DB (dropped first if it exists).
pgc_createdb() {
    pgc_dropdb "${1:-}" "${2:-}" &&
        pgc_psql "$1" postgres -v db="$2" <<<'CREATE DATABASE :"db";'
}

# pgc_dropdb NAME DB: drops DB if it exists, disconnecting its sessions.
pgc_dropdb() {
    pgc_psql "${1:-}" postgres -v db="${2:-}" <<<'SET client_min_messages = warning; DROP DATABASE IF EXISTS :"db" WITH (FORCE);'
}

# pgc_clonedb NAME TEMPLATE NEWDB: (re)creates NEWDB as a copy of TEMPLATE (CREATE DATABASE
# ... TEMPLATE, a file copy: much faster than loading the data again). TEMPLATE must have no
# other session open.
pgc_clonedb() {
    pgc_dropdb "${1:-}" "${3:-}" &&
        pgc_psql "$1" postgres -v db="$3" -v tpl="${2:-}" <<<'CREATE DATABASE :"db" TEMPLATE :"tpl";'
}

# pgc_checksum NAME DB TABLE: prints "ROWS SHA256" for TABLE, an independent row-by-row
# fingerprint: every row as text, sorted in "C" collation, through sha256sum; in one
# REPEATABLE READ READ ONLY transaction. TABLE is SQL, already quoted by the caller, e.g.
# 'public."My Table"'. Inheritance children are not included (FROM ONLY); a partitioned
# table includes all its partitions. The session prints values alike on any cluster: UTC,
# ISO dates, postgres intervals, extra_float_digits=3, hex bytea, lc_monetary=C. Row text
# follows column order: a target with other column order fingerprints differently.
pgc_checksum() {
    local name=${1:-} db=${2:-} table=${3:-} dsn work rc n sum
    if [[ -z $table ]]; then
        _pgc_err "usage: pgc_checksum NAME DB TABLE"
        return 2
    fi
    dsn=$(pgc_dsn "$name" "$db") || return 1
    work=$(mktemp -d) || return 1
    mkfifo "$work/rows"
    wc -l <"$work/rows" >"$work/count" &
    local wc_pid=$!
    PGOPTIONS="$_PGC_CMP_OPTIONS" "$PGC_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
        -v tbl="$table" -d "$dsn" -f - 2>"$work/err" <<'SQL' | tee "$work/rows" | sha256sum >"$work/sum"
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT CASE WHEN c.relkind = 'p' THEN '' ELSE 'ONLY' END AS pgc_only
  FROM pg_catalog.pg_class c WHERE c.oid = :'tbl'::regclass \gset
COPY (SELECT x::text FROM :pgc_only :tbl x ORDER BY x::text COLLATE "C") TO STDOUT;
COMMIT;
SQL
    rc=${PIPESTATUS[0]}
    wait "$wc_pid"
    if ((rc != 0)); then
        _pgc_err "checksum of $table in $name/$db failed: $(grep -m1 -e ERROR -e FATAL -e error "$work/err" || head -n1 "$work/err")"
        rm -rf -- "$work"
        return 1
    fi
    read -r n <"$work/count"
    read -r sum _ <"$work/sum"
    rm -rf -- "$work"
    printf '%s %s\n' "$n" "$sum"
}

# Lists, NUL-separated, "KIND NAME" for the ordinary tables (KIND r) and, with $3=rp, the
# partitioned tables (KIND p) of NAME/DB; NAME quoted by format('%I.%I'). Leaves out
# pg_catalog, information_schema, pg_toast, temporary schemas and "confiture"; keeps only the
# schemas given after $3, if any. Partitions are ordinary tables (leaves) or partitioned ones.
_pgc_table_list() {
    local name=$1 db=$2 kinds=$3 filter='' s lits=() relkinds="'r'"
    shift 3
    if (($# > 0)); then
        for s in "$@"; do lits+=("$(_pgc_sql_literal "$s")"); done
        filter="AND n.nspname IN ($(
            IFS=,
            printf '%s' "${lits[*]}"
        ))"
    fi
    [[ $kinds == rp ]] && relkinds="'r','p'"
    pgc_psql "$name" "$db" -At -0 -c "
SELECT format('%s %I.%I', c.relkind, n.nspname, c.relname)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ($relkinds) AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'confiture')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' $filter
 ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\""
}

# pgc_compare NAME1 DB1 NAME2 DB2 [SCHEMA...]: compares every ordinary table and leaf
# partition of the source NAME1/DB1 (in the SCHEMAs, if given) with the same table in
# NAME2/DB2 by pgc_checksum; the target's table may be partitioned there. Prints per
# difference "DIFF <table>: ..." or "MISSING <table>: ...", "EXTRA <table>: ..." (information
# only) for an ordinary table only the target has, and a last line "pgc_compare: T tables,
# D differ". Returns 0 when all match, 1 when any differs or is missing, 2 when it could not
# list the tables.
pgc_compare() {
    if (($# < 4)); then
        _pgc_err "usage: pgc_compare NAME1 DB1 NAME2 DB2 [SCHEMA...]"
        return 2
    fi
    local n1=$1 d1=$2 n2=$3 d2=$4 t total=0 bad=0 work s1 s2 pid
    shift 4
    local -a src=() extra=()
    local -A on_dst=() on_src=()
    work=$(mktemp -d) || return 2
    if ! _pgc_table_list "$n1" "$d1" r "$@" >"$work/src" ||
        ! _pgc_table_list "$n2" "$d2" rp "$@" >"$work/dst"; then
        rm -rf -- "$work"
        return 2
    fi
    while IFS= read -r -d '' t; do
        src+=("${t#r }")
        on_src[${t#r }]=1
    done <"$work/src"
    while IFS= read -r -d '' t; do
        on_dst[${t:2}]=1
        [[ $t == r\ * ]] && extra+=("${t:2}")
    done <"$work/dst"
    for t in "${src[@]}"; do
        total=$((total + 1))
        if [[ -z ${on_dst[$t]:-} ]]; then
            printf 'MISSING %s: not on the target\n' "$t"
            bad=$((bad + 1))
            continue
        fi
        pgc_checksum "$n1" "$d1" "$t" >"$work/a" 2>"$work/a.err" &
        pid=$!
        pgc_checksum "$n2" "$d2" "$t" >"$work/b" 2>"$work/b.err"
        wait "$pid"
        s1=$(<"$work/a")
        s2=$(<"$work/b")
        if [[ -z $s1 || -z $s2 ]]; then
            printf 'DIFF %s: could not fingerprint it: %s\n' "$t" "$(cat "$work/a.err" "$work/b.err" | head -n 1)"
            bad=$((bad + 1))
        elif [[ $s1 != "$s2" ]]; then
            printf 'DIFF %s: source %s rows sha256 %s, target %s rows sha256 %s\n' "$t" \
                "${s1%% *}" "${s1#* }" "${s2%% *}" "${s2#* }"
            bad=$((bad + 1))
        fi
    done
    for t in "${extra[@]}"; do
        [[ -n ${on_src[$t]:-} ]] || printf 'EXTRA %s: only on the target (not compared)\n' "$t"
    done
    rm -rf -- "$work"
    printf 'pgc_compare: %d tables, %d differ\n' "$total" "$bad"
    ((bad == 0))
}

# Path of the pagila schema file: $PGC_PAGILA_SCHEMA, else the copy in tests/data (from
# ../shared/testdata, with its license: tests/data/pagila-LICENSE.txt), so that a clone
# anywhere has it.
pgc_pagila_schema() {
    if [[ -n ${PGC_PAGILA_SCHEMA:-} ]]; then
        printf '%s\n' "$PGC_PAGILA_SCHEMA"
        return
    fi
    printf '%s\n' "$_PGC_REPO/tests/data/pagila-schema-pg15.sql"
}

# pgc_load_pagila NAME DB SCALE: creates DB if needed, loads the shared pagila schema and
# tests/data/pagila-rows.sql at SCALE (1: ~125k rows, a few seconds).
pgc_load_pagila() {
    local name=${1:-} db=${2:-} scale=${3:-1} schema
    if [[ -z $db || ! $scale =~ ^[1-9][0-9]*$ ]]; then
        _pgc_err "usage: pgc_load_pagila NAME DB SCALE (SCALE a positive integer)"
        return 2
    fi
    schema=$(pgc_pagila_schema)
    if [[ ! -r $schema ]]; then
        _pgc_err "pagila schema not found at $schema (set PGC_PAGILA_SCHEMA)"
        return 1
    fi
    if [[ -z $(pgc_sql "$name" postgres "SELECT 1 FROM pg_database WHERE datname = $(_pgc_sql_literal "$db")") ]]; then
        pgc_createdb "$name" "$db" || return 1
    fi
    pgc_psql "$name" "$db" -f "$schema" >/dev/null &&
        pgc_psql "$name" "$db" -v scale="$scale" -f "$_PGC_REPO/tests/data/pagila-rows.sql"
}

# pgc_load_alltypes NAME DB: creates DB if needed and loads tests/data/alltypes.sql.
pgc_load_alltypes() {
    local name=${1:-} db=${2:-}
    if [[ -z $db ]]; then
        _pgc_err "usage: pgc_load_alltypes NAME DB"
        return 2
    fi
    if [[ -z $(pgc_sql "$name" postgres "SELECT 1 FROM pg_database WHERE datname = $(_pgc_sql_literal "$db")") ]]; then
        pgc_createdb "$name" "$db" || return 1
    fi
    pgc_psql "$name" "$db" -f "$_PGC_REPO/tests/data/alltypes.sql"
}
