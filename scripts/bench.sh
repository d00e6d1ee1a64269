#!/usr/bin/env bash
#
# bench.sh - `make bench`: confiture sync measured against the usual ways of copying a
# PostgreSQL database, on one generated data set, on this machine. Writes docs/benchmarks.md
# (regenerated, dated) and keeps the logs of the last run in tmp/bench-logs/.
#
# What it does:
#   1. starts two throwaway PostgreSQL 15 clusters, "src" and "dst" (scripts/pgcluster.sh);
#   2. loads the source database: the Pagila schema with generated rows at BENCH_SCALE
#      (tests/data/pagila-rows.sql) plus a bench-only schema "bench": a wide "events" table
#      (int8 key, jsonb, TOASTed text, 3 secondary indexes, foreign keys into Pagila), a
#      narrow "event_tags" table (composite key, foreign key to events) and a users-like
#      "users" table (int8 key, UNIQUE email, phone, name, address, a bio of a few hundred
#      bytes: the personal data of the masking cases);
#   3. runs, one after the other, each into a freshly created target database:
#        confiture   bin/confiture sync --workers 2 (default chunk size, then a smaller one)
#        copy        COPY | COPY per table, 2 at a time, keys/indexes/FKs dropped before and
#                    recreated after (2 at a time), sequences set, ANALYZE: a careful human
#        pg_dump     pg_dump -Fd -j 2 of the whole database + pg_restore -j 2 into an empty one
#        pgcopydb    pgcopydb clone --table-jobs 2 --index-jobs 2 (installed with apt-get when
#                    missing and we are root; skipped with a note otherwise)
#        users-plain   confiture sync --tables bench.users --workers 2: that table alone
#        users-masked  the same with --anonymize: four columns masked (email, phone, name,
#                      address), the leak scan at the end; the report gives masked / plain
#                      against the 1.10x target
#      confiture and copy start from the schema only (pg_dump --schema-only of the source);
#      pg_dump and pgcopydb create the schema themselves in an empty database;
#   4. checks every copy: row-by-row checksums of every table (pgc_compare), and the number of
#      valid indexes, validated constraints and the sequence values against the source; for
#      the users cases: the plain copy equals the source, the masked one has the same rows,
#      its unmasked columns equal the source's and no masked value equals its source value;
#   5. writes docs/benchmarks.md; exits 1 when a run failed or a copy differs.
#
# Settings (environment):
#   BENCH_SCALE=8         data set scale: ~80 MB of database per unit (8: ~630 MB)
#   BENCH_WORKERS=2       confiture --workers, and the parallelism of every other method
#   BENCH_SMALL_CHUNK=16MB  the second confiture run's --chunk-size ("" to skip that run)
#   BENCH_REPEAT=2        rounds: each method runs once per round; the report shows its fastest
#   BENCH_USERS_REPEAT=7  runs of each masking case (users-plain, users-masked: short runs, whose
#                         ratio is reported by the median and by the fastest); the rounds beyond
#                         BENCH_REPEAT run those two cases alone, one after the other
#   BENCH_CASES="confiture confiture-small confiture-text copy pgdump pgcopydb users-plain users-masked"
#                         which methods to run (any subset)
#   BENCH_OUT=docs/benchmarks.md   where the report goes
#   BENCH_KEEP=1          keep the clusters and the work directory (for a look afterwards)
#   PGC_BIN               PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#
# shellcheck source-path=SCRIPTDIR source=pgcluster.sh
# shellcheck disable=SC2016 # backquotes in the report are Markdown, not commands
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=pgcluster.sh disable=SC1091 # followed with shellcheck -x; plain shellcheck cannot
source "$REPO/scripts/pgcluster.sh"

BENCH_SCALE=${BENCH_SCALE:-8}
BENCH_WORKERS=${BENCH_WORKERS:-2}
BENCH_SMALL_CHUNK=${BENCH_SMALL_CHUNK-16MB}
BENCH_REPEAT=${BENCH_REPEAT:-2}
BENCH_USERS_REPEAT=${BENCH_USERS_REPEAT:-7}
BENCH_CASES=${BENCH_CASES:-confiture confiture-small confiture-text copy pgdump pgcopydb users-plain users-masked}
BENCH_OUT=${BENCH_OUT:-docs/benchmarks.md}
BENCH_KEEP=${BENCH_KEEP:-0}
CONFITURE=$REPO/bin/confiture
LOGDIR=$REPO/tmp/bench-logs
DB=bench
J=$BENCH_WORKERS
T_BEGIN=$EPOCHREALTIME
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf 'bench [%5.0fs] %s\n' "$(awk -v a="$T_BEGIN" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

[[ $BENCH_SCALE =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE must be a positive integer, not '$BENCH_SCALE'"
[[ $BENCH_WORKERS =~ ^[1-9][0-9]*$ ]] || die "BENCH_WORKERS must be a positive integer"
[[ $BENCH_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"
[[ $BENCH_USERS_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_USERS_REPEAT must be a positive integer"
# the masking cases run in every round, and alone in the rounds after BENCH_REPEAT
USERS_RUNS=$((BENCH_USERS_REPEAT > BENCH_REPEAT ? BENCH_USERS_REPEAT : BENCH_REPEAT))
for c in $BENCH_CASES; do
    case $c in
    confiture | confiture-small | confiture-text | copy | pgdump | pgcopydb | users-plain | users-masked) ;;
    *) die "unknown case '$c' in BENCH_CASES (confiture confiture-small confiture-text copy pgdump pgcopydb users-plain users-masked)" ;;
    esac
done
[[ -x $CONFITURE ]] || die "no $CONFITURE: run make first (make bench builds it)"
[[ -x $PGC_BIN/pg_dump ]] || die "no PostgreSQL binaries in $PGC_BIN (scripts/install-deps.sh)"
PAGILA_SCHEMA=$(pgc_pagila_schema)
[[ -r $PAGILA_SCHEMA ]] || die "the Pagila schema is missing: $PAGILA_SCHEMA (set PGC_PAGILA_SCHEMA)"
[[ -r $REPO/tests/data/pagila-rows.sql ]] || die "tests/data/pagila-rows.sql is missing"
export PATH="$PGC_BIN:$PATH" # pg_dump & co of the clusters' version, for pgcopydb too

# ------------------------------------------------------------------ clusters and cleanup

# A private cluster root: our "src" and "dst" never meet the test suite's. The postgres OS
# user must reach it when we are root; /tmp always works.
mkdir -p "$REPO/tmp"
BENCH_ROOT=$(mktemp -d "$REPO/tmp/bench.XXXXXX")
chmod go+rx "$BENCH_ROOT"
if ((EUID == 0)) && ! runuser -u postgres -- test -x "$BENCH_ROOT" 2>/dev/null; then
    rmdir "$BENCH_ROOT"
    BENCH_ROOT=$(mktemp -d /tmp/confiture-bench.XXXXXX)
    chmod go+rx "$BENCH_ROOT"
fi
export PGC_ROOT=$BENCH_ROOT/clusters
WORK=$BENCH_ROOT/work
mkdir -p "$PGC_ROOT" "$WORK"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
[[ $BENCH_KEEP == 1 ]] && export PGC_KEEP=1

bench_cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    set +e
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    if [[ $BENCH_KEEP == 1 ]]; then
        pgc_cleanup
        say "kept: clusters and work files in $BENCH_ROOT (PGC_ROOT=$PGC_ROOT)"
    else
        pgc_cleanup
        rm -rf -- "$WORK"
        rmdir -- "$PGC_ROOT" "$BENCH_ROOT" 2>/dev/null
    fi
    exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "clusters in $PGC_ROOT"
pgc_init src &
pid_a=$!
pgc_init dst || die "initdb of dst failed"
wait "$pid_a" || die "initdb of src failed"
pgc_start src || die "could not start src"
pgc_start dst || die "could not start dst"
# Lock waits on the target longer than 10 ms are logged: the report sums them per run.
pgc_psql dst postgres -c "ALTER SYSTEM SET log_lock_waits = on" -c "ALTER SYSTEM SET deadlock_timeout = '10ms'" \
    -c "SELECT pg_reload_conf()" >/dev/null || die "could not configure dst"
DST_LOG=$(pgc_log dst)
SRC=$(pgc_dsn src $DB)

# ------------------------------------------------------------------ helpers

# secs T0 T1: T1 - T0 with one decimal.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# ratio A B: A / B as "2.10x".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
hms() { awk -v s="$1" 'BEGIN { printf "%dm%02ds", s / 60, s % 60 }'; }

CLK_TCK=$(getconf CLK_TCK)
# CPU ticks of a postmaster and of every backend it has reaped (utime stime cutime cstime).
pm_ticks() {
    local pid f
    read -r pid <"$(pgc_datadir "$1")/postmaster.pid"
    read -r -a f <"/proc/$pid/stat"
    echo $((f[13] + f[14] + f[15] + f[16]))
}
# CPU ticks of this script's reaped children: the tools measured (confiture and its
# coordinator and workers, psql, pg_dump, pg_restore, pgcopydb).
tool_ticks() {
    local f
    read -r -a f <"/proc/$$/stat"
    echo $((f[15] + f[16]))
}
# "busy iowait total" ticks of the whole machine.
sys_ticks() {
    local user nice system idle iowait irq softirq steal rest
    read -r _ user nice system idle iowait irq softirq steal rest </proc/stat
    echo "$((user + nice + system + irq + softirq + steal)) $iowait $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

M_T0='' M_SRC0='' M_DST0='' M_TOOL0='' M_SYS0='' M_LOG0=0 M_LOCKS='' CUR_ID=setup
measure_begin() {
    M_SRC0=$(pm_ticks src)
    M_DST0=$(pm_ticks dst)
    M_TOOL0=$(tool_ticks)
    M_SYS0=$(sys_ticks)
    M_LOG0=$(wc -l <"$DST_LOG")
    M_T0=$EPOCHREALTIME
}
# Sets M_WALL, M_SRC, M_DST, M_TOOL (CPU seconds) and M_BUSY, M_IOWAIT (% of all cores).
measure_end() {
    local t1=$EPOCHREALTIME s1 b0 w0 a0 b1 w1 a1
    sleep 0.3 # let the backends of the run exit, so their CPU time is counted
    M_WALL=$(secs "$M_T0" "$t1")
    M_SRC=$(awk -v a="$M_SRC0" -v b="$(pm_ticks src)" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }')
    M_DST=$(awk -v a="$M_DST0" -v b="$(pm_ticks dst)" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }')
    M_TOOL=$(awk -v a="$M_TOOL0" -v b="$(tool_ticks)" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }')
    s1=$(sys_ticks)
    read -r b0 w0 a0 <<<"$M_SYS0"
    read -r b1 w1 a1 <<<"$s1"
    M_BUSY=$(awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')
    M_IOWAIT=$(awk -v w=$((w1 - w0)) -v a=$((a1 - a0)) 'BEGIN { printf "%.0f", (a > 0 ? 100 * w / a : 0) }')
    # Lock waits on the target (those over deadlock_timeout, 10 ms): count and seconds.
    # The waits, "MS LOCK STATEMENT", go to tmp/bench-logs/ID.locks.
    tail -n +"$((M_LOG0 + 1))" "$DST_LOG" | awk '
        / acquired [A-Za-z]+ on .* after [0-9.]+ ms/ {
            for (i = 1; i < NF; i++) if ($(i + 1) == "ms" && $(i - 1) == "after") ms = $i
            for (i = 1; i < NF; i++) if ($i == "acquired") lock = $(i + 1)
            pending = 1; next }
        pending && /STATEMENT: / { sub(/.*STATEMENT: +/, ""); printf "%s %s %s\n", ms, lock, substr($0, 1, 160); pending = 0 }
        pending && / LOG: / { printf "%s %s ?\n", ms, lock; pending = 0 }
        END { if (pending) printf "%s %s ?\n", ms, lock }' >"$LOGDIR/$CUR_ID.locks"
    M_LOCKS=$(awk '{ n++; t += $1 } END { printf "%d waits, %.1f s", n, t / 1000 }' "$LOGDIR/$CUR_ID.locks")
    # CPU used by anything else on the machine (other users, other tests): noise.
    M_OTHER=$(awk -v b=$((b1 - b0)) -v t="$CLK_TCK" -v s="$M_SRC" -v d="$M_DST" -v c="$M_TOOL" \
        'BEGIN { o = b / t - s - d - c; printf "%.1f", (o < 0 ? 0 : o) }')
}

# par N CMD...: runs "CMD LINE" for each line of stdin, at most N at a time. Non-zero when
# any failed.
par() {
    local n=$1 line running=0 rc=0
    shift
    while IFS= read -r line; do
        [[ -n $line ]] || continue
        if ((running >= n)); then
            wait -n || rc=1
            running=$((running - 1))
        fi
        "$@" "$line" </dev/null &
        running=$((running + 1))
    done
    while ((running > 0)); do
        wait -n || rc=1
        running=$((running - 1))
    done
    return "$rc"
}

psql_dst() { "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DST" "$@"; }
psql_src() { "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" "$@"; }

# The user's schemas, as a condition on pg_namespace n.
USER_NS="n.nspname NOT IN ('pg_catalog', 'information_schema', 'confiture') AND n.nspname !~ '^pg_'"

# ------------------------------------------------------------------ the data set

cat >"$WORK/events.sql" <<'SQL'
-- bench-only schema: a wide, TOAST-heavy events table with an int8 key and secondary indexes,
-- and a narrow tags table. Deterministic: every value is a function of the row number.
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
CREATE TABLE bench.events (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    rental_id   integer,
    occurred_at timestamptz NOT NULL,
    kind        text NOT NULL,
    client_ip   inet,
    score       double precision,
    flags       integer NOT NULL DEFAULT 0,
    attrs       jsonb NOT NULL,
    body        text
);
CREATE TABLE bench.event_tags (
    event_id bigint NOT NULL,
    tag      smallint NOT NULL,
    PRIMARY KEY (event_id, tag)
);
SELECT 40000 * :scale AS n_events, 3000 * :scale AS n_customer, 50000 * :scale AS n_rental \gset
INSERT INTO bench.events
SELECT i,
       (hashint8extended(i, 1) & 9223372036854775807) % :n_customer + 1,
       CASE WHEN i % 5 = 0 THEN NULL
            ELSE ((hashint8extended(i, 2) & 9223372036854775807) % :n_rental + 1)::integer END,
       timestamptz '2022-01-01 00:00:00+00' + make_interval(secs => i * 3.7),
       (ARRAY['view', 'click', 'rent', 'return', 'pay', 'search', 'login', 'logout'])[(hashint8extended(i, 3) & 7) + 1],
       CASE WHEN i % 11 = 0 THEN NULL
            ELSE ('10.' || (i >> 16 & 255) || '.' || (i >> 8 & 255) || '.' || (i & 255))::inet END,
       (hashint8extended(i, 4) % 100000) / 1000.0,
       (hashint8extended(i, 5) & 65535)::integer,
       jsonb_build_object('session', md5(i::text), 'page', '/film/' || (i % 10000),
                          'agent', 'Mozilla/5.0 (X11; Linux x86_64) bench/' || (i % 97),
                          'ref', md5('r' || i), 'n', i % 1000, 'ok', i % 3 <> 0),
       -- 1 row in 40: 3-16 kB of hex words, stored out of line (TOAST); 1 in 4: a short note
       CASE WHEN i % 40 = 0
            THEN (SELECT string_agg(md5(i || ':' || g), ' ') FROM generate_series(1, 100 + (i / 40) % 400) g)
            WHEN i % 4 = 0 THEN 'note ' || md5('b' || i) END
FROM generate_series(1, :n_events) AS i;
INSERT INTO bench.event_tags
SELECT i, t FROM generate_series(1, :n_events) AS i, LATERAL generate_series(1, (i % 3)::integer + 1) AS t;
CREATE INDEX events_customer_idx ON bench.events (customer_id);
CREATE INDEX events_occurred_idx ON bench.events (occurred_at);
CREATE INDEX events_kind_idx ON bench.events (kind, occurred_at);
ALTER TABLE bench.event_tags ADD FOREIGN KEY (event_id) REFERENCES bench.events (id);
SQL

# bench.users: the personal data of the masking cases (users-plain, users-masked). Four
# columns to mask (email, phone, full_name, address: some NULL), the rest copied as is.
cat >"$WORK/users.sql" <<'SQL'
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
CREATE TABLE bench.users (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    phone      text,
    full_name  text,
    address    text,
    created_at timestamptz NOT NULL,
    plan       text NOT NULL,
    score      integer NOT NULL,
    bio        text
);
SELECT 50000 * :scale AS n_users \gset
INSERT INTO bench.users
SELECT i,
       lower(f) || '.' || lower(l) || i || '@' || (ARRAY['gmail.com', 'yahoo.fr', 'corp.example.org', 'outlook.com', 'free.fr'])[i % 5 + 1],
       CASE WHEN i % 12 = 0 THEN NULL
            WHEN i % 3 = 0 THEN '+1 (555) ' || lpad((h % 1000)::text, 3, '0') || '-' || lpad((h / 1000 % 10000)::text, 4, '0')
            ELSE '+33 6 ' || lpad((h % 100000000)::text, 8, '0') END,
       CASE WHEN i % 25 = 0 THEN NULL ELSE f || ' ' || l END,
       CASE WHEN i % 20 = 0 THEN NULL
            ELSE (h % 999 + 1) || ' ' || (ARRAY['Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Lake', 'Hill', 'Church', 'Mill', 'Park', 'Station', 'Victoria'])[i % 12 + 1]
                 || ' ' || (ARRAY['Street', 'Avenue', 'Road', 'Lane', 'Boulevard', 'Drive'])[i % 6 + 1]
                 || ', ' || lpad((h / 7 % 100000)::text, 5, '0') || ' ' || (ARRAY['Lyon', 'Paris', 'Springfield', 'Nantes', 'Bordeaux', 'Portland', 'Lille'])[i % 7 + 1] END,
       timestamptz '2015-01-01 00:00:00+00' + make_interval(secs => i * 311.7),
       (ARRAY['free', 'free', 'free', 'pro', 'pro', 'team', 'enterprise'])[i % 7 + 1],
       (h % 10000)::integer,
       -- a few hundred bytes (150-420), stored inline: rows stay far below the TOAST threshold
       CASE WHEN i % 10 = 0 THEN NULL
            ELSE 'Joined for the ' || (ARRAY['films', 'newsletter', 'deals', 'reviews'])[i % 4 + 1] || '. '
                 || (SELECT string_agg(md5(i || ':' || g), ' ') FROM generate_series(1, 4 + (i % 9)::integer) g) END
FROM (SELECT i, hashint8extended(i, 7) & 9223372036854775807 AS h,
             (ARRAY['Jane', 'John', 'Émile', 'Zoë', 'María', 'José', 'Ahmed', 'Fatima', 'Wei', 'Yuki', 'Olga', 'Liam',
                    'Noah', 'Emma', 'Lucas', 'Chloé', 'Hugo', 'Inès', 'Amir', 'Sofia', 'Mateo', 'Aisha', 'Ivan', 'Nora'])[i % 24 + 1] AS f,
             (ARRAY['Smith', 'Martin', 'Bernard', 'García', 'Müller', 'Rossi', 'Nguyen', 'Kowalski', 'Dubois', 'Tanaka',
                    'Silva', 'Johnson', 'Petit', 'Moreau', 'Novak', 'Haddad', 'O''Brien', 'Lefèvre', 'Schmidt', 'Khan'])[(i / 24) % 20 + 1] AS l
        FROM generate_series(1, :n_users) AS i) s;
SQL

say "loading the data set (Pagila scale $BENCH_SCALE + bench.events + bench.users) into src"
t_load0=$EPOCHREALTIME
pgc_createdb src $DB >/dev/null || die "could not create the source database"
pgc_sql src $DB "CREATE SCHEMA bench" >/dev/null || die "could not create the schema bench"
# The two loads are independent until the events' foreign keys into Pagila: in parallel.
pgc_psql src $DB -v scale="$BENCH_SCALE" -f "$WORK/events.sql" >"$LOGDIR/load-events.log" 2>&1 &
pid_ev=$!
pgc_psql src $DB -v scale="$BENCH_SCALE" -f "$WORK/users.sql" >"$LOGDIR/load-users.log" 2>&1 &
pid_us=$!
load_pagila() {
    if declare -F pgc_load_pagila >/dev/null; then
        pgc_load_pagila src $DB "$BENCH_SCALE"
    else # an older pgcluster.sh: the same by hand
        pgc_psql src $DB -f "$PAGILA_SCHEMA" >/dev/null &&
            pgc_psql src $DB -v scale="$BENCH_SCALE" -f "$REPO/tests/data/pagila-rows.sql"
    fi
}
if ! load_pagila >"$LOGDIR/load-pagila.log" 2>&1; then
    tail -n 20 "$LOGDIR/load-pagila.log" >&2
    die "loading Pagila failed (log: $LOGDIR/load-pagila.log)"
fi
if ! wait "$pid_ev"; then
    tail -n 20 "$LOGDIR/load-events.log" >&2
    die "loading bench.events failed (log: $LOGDIR/load-events.log)"
fi
if ! wait "$pid_us"; then
    tail -n 20 "$LOGDIR/load-users.log" >&2
    die "loading bench.users failed (log: $LOGDIR/load-users.log)"
fi
pgc_psql src $DB >>"$LOGDIR/load-events.log" 2>&1 <<'SQL' || die "the events' foreign keys failed"
ALTER TABLE bench.events ADD FOREIGN KEY (customer_id) REFERENCES public.customer (customer_id);
ALTER TABLE bench.events ADD FOREIGN KEY (rental_id) REFERENCES public.rental (rental_id);
VACUUM (ANALYZE) bench.events, bench.event_tags, bench.users;
CHECKPOINT;
SQL
T_LOAD=$(secs "$t_load0" "$EPOCHREALTIME")
say "loaded in ${T_LOAD}s: $(pgc_sql src $DB "SELECT pg_size_pretty(pg_database_size(current_database()))")"

"$PGC_BIN/pg_dump" --schema-only -d "$SRC" -f "$WORK/schema.sql" || die "pg_dump --schema-only failed"

# Data set description, for the report.
pgc_psql src $DB -At -F '|' >"$WORK/dataset.txt" <<SQL || die "could not describe the data set"
CREATE FUNCTION pg_temp.nrows(r regclass) RETURNS bigint LANGUAGE plpgsql AS
\$\$DECLARE n bigint; BEGIN EXECUTE format('SELECT count(*) FROM ONLY %s', r) INTO n; RETURN n; END\$\$;
WITH leaf AS (
    SELECT c.oid, pg_partition_root(c.oid) AS root, pg_temp.nrows(c.oid) AS nrows,
           pg_relation_size(c.oid) AS heap,
           coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast,
           pg_indexes_size(c.oid) AS idx,
           (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) AS nidx
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND $USER_NS
), t AS (
    SELECT coalesce(root, oid) AS rel, count(*) AS nleaf, sum(nrows) AS nrows, sum(heap) AS heap,
           sum(toast) AS toast, sum(idx) AS idx, sum(nidx) AS nidx
      FROM leaf GROUP BY 1
)
SELECT 'T', rel::regclass::text || CASE WHEN nleaf > 1 THEN ' (' || nleaf || ' partitions)' ELSE '' END,
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped),
       nrows, pg_size_pretty(heap), pg_size_pretty(toast), pg_size_pretty(idx), nidx,
       pg_size_pretty(heap + toast + idx)
  FROM t ORDER BY heap + toast + idx DESC, 2;
SELECT 'S', (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND $USER_NS),
       (SELECT sum(pg_temp.nrows(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND $USER_NS),
       pg_size_pretty(pg_database_size(current_database())),
       (SELECT pg_size_pretty(sum(pg_table_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND $USER_NS),
       (SELECT pg_size_pretty(sum(pg_indexes_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND $USER_NS),
       (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') AND $USER_NS),
       (SELECT count(*) FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE co.contype = 'f' AND $USER_NS),
       (SELECT count(*) FROM pg_sequences WHERE schemaname NOT IN ('confiture')),
       pg_database_size(current_database());
SQL
IFS='|' read -r _ DS_TABLES DS_ROWS DS_SIZE DS_TABLE_SIZE DS_INDEX_SIZE DS_INDEXES DS_FKS DS_SEQS _ \
    < <(grep '^S|' "$WORK/dataset.txt")
say "data set: $DS_TABLES tables, $DS_ROWS rows, $DS_SIZE ($DS_TABLE_SIZE tables with TOAST, $DS_INDEX_SIZE indexes)"

# What every target must have, to compare with: valid indexes, validated constraints, sequences.
IDX_SQL="SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indisvalid AND $USER_NS"
CON_SQL="SELECT count(*) FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE co.contype IN ('p', 'u', 'f', 'x') AND co.convalidated AND co.conrelid <> 0 AND $USER_NS"
# Top-level indexes (not partitions of a partitioned index), valid, by name.
IDX_NAMES_SQL="SELECT format('%I.%I', n.nspname, ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE i.indisvalid AND NOT ic.relispartition AND $USER_NS ORDER BY 1"
SEQ_SQL="SELECT coalesce(string_agg(schemaname || '.' || sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY schemaname, sequencename), '') FROM pg_sequences WHERE schemaname <> 'confiture'"
SRC_IDX=$(pgc_sql src $DB "$IDX_SQL")
SRC_CON=$(pgc_sql src $DB "$CON_SQL")
pgc_sql src $DB "$IDX_NAMES_SQL" >"$WORK/src-index-names.txt"
SRC_SEQ=$(pgc_sql src $DB "$SEQ_SQL")

# ------------------------------------------------------------------ the COPY | COPY baseline

# Statement lists for the careful human, read from the source (same schema as the target,
# and it knows the sizes). Biggest tables first.
TABLE_SIZE="coalesce((SELECT sum(pg_table_size(p.relid)) FROM pg_partition_tree(c.oid) p), 0)"
pgc_psql src $DB -At >"$WORK/copy-tables.txt" <<SQL
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND $USER_NS ORDER BY pg_table_size(c.oid) DESC, 1;
SQL
# Drops: foreign keys, then keys, then the other indexes (one transaction).
pgc_psql src $DB -At >"$WORK/copy-drop.sql" <<SQL
SELECT 'BEGIN;';
SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT %I;', n.nspname, c.relname, co.conname)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE co.contype = 'f' AND co.conparentid = 0 AND $USER_NS ORDER BY 1;
SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT %I;', n.nspname, c.relname, co.conname)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE co.contype IN ('p', 'u', 'x') AND co.conparentid = 0 AND c.relkind IN ('r', 'p') AND $USER_NS ORDER BY 1;
SELECT format('DROP INDEX %I.%I;', n.nspname, ic.relname)
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT ic.relispartition AND $USER_NS
   AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid
                      AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
 ORDER BY 1;
SELECT 'COMMIT;';
SQL
# Keys (ACCESS EXCLUSIVE: round-robin over the tables so that two at a time rarely wait for
# each other), then the other indexes (SHARE: any two run together), biggest tables first.
pgc_psql src $DB -At >"$WORK/copy-build.sql" <<SQL
SELECT sql FROM (
    SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, c.relname, co.conname,
                  pg_get_constraintdef(co.oid)) AS sql,
           row_number() OVER (PARTITION BY c.oid ORDER BY co.contype = 'p' DESC, co.conname) AS k,
           $TABLE_SIZE AS size
      FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE co.contype IN ('p', 'u', 'x') AND co.conparentid = 0 AND c.relkind IN ('r', 'p') AND $USER_NS
) s ORDER BY k, size DESC, sql;
SELECT sql FROM (
    SELECT regexp_replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') || ';' AS sql,
           $TABLE_SIZE AS size
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT ic.relispartition AND $USER_NS
       AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid
                          AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
) s ORDER BY size DESC, sql;
SQL
# Foreign keys: added NOT VALID at once (one transaction), then validated two at a time
# (SHARE UPDATE EXCLUSIVE: no deadlock between two validations). A partitioned table cannot
# take a NOT VALID foreign key: those are added, validated, in the second step.
pgc_psql src $DB -At >"$WORK/copy-fk-add.sql" <<SQL
SELECT 'BEGIN;';
SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s NOT VALID;', n.nspname, c.relname, co.conname,
              pg_get_constraintdef(co.oid))
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE co.contype = 'f' AND co.conparentid = 0 AND c.relkind = 'r' AND $USER_NS ORDER BY 1;
SELECT 'COMMIT;';
SQL
pgc_psql src $DB -At >"$WORK/copy-fk-validate.sql" <<SQL
SELECT sql FROM (
    SELECT CASE WHEN c.relkind = 'r'
                THEN format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I;', n.nspname, c.relname, co.conname)
                ELSE format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, c.relname, co.conname,
                            pg_get_constraintdef(co.oid)) END AS sql,
           row_number() OVER (PARTITION BY c.oid ORDER BY co.conname) AS k,
           $TABLE_SIZE AS size
      FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE co.contype = 'f' AND co.conparentid = 0 AND $USER_NS
) s ORDER BY k, size DESC, sql;
SQL
pgc_psql src $DB -At >"$WORK/copy-sequences.sql" <<SQL
SELECT format('SELECT pg_catalog.setval(%L, %s, true);', format('%I.%I', schemaname, sequencename), last_value)
  FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname <> 'confiture' ORDER BY 1;
SQL

# One table: COPY TO STDOUT on the source into COPY FROM STDIN on the target, triggers off
# (session_replication_role = replica), as pg_restore --disable-triggers would.
copy_one() {
    "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" -c "COPY $1 TO STDOUT" |
        PGOPTIONS="-c session_replication_role=replica -c synchronous_commit=off" \
            "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DST" -c "COPY $1 FROM STDIN" ||
        {
            say "copy of $1 failed"
            return 1
        }
}
sql_one() {
    PGOPTIONS="-c maintenance_work_mem=256MB" "$PGC_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DST" -c "$1" ||
        {
            say "failed: $1"
            return 1
        }
}

# ------------------------------------------------------------------ the runs

declare -a R_ID=() R_LABEL=() R_CMD=() R_WALL=() R_STATUS=() R_CHECK=() R_SRC=() R_DST=() R_TOOL=() \
    R_BUSY=() R_IOWAIT=() R_OTHER=() R_LOCKS=() R_LOCKFILE=() R_PHASES=() R_ALL=()
FAILED=0
NOTES=()
PHASES= # set by a run: "name=seconds, ..."
RUN_DB=

# A fresh target database; $2 = schema to load the source's schema.
new_target() {
    local name=$1
    if [[ -n $RUN_DB ]]; then pgc_dropdb dst "$RUN_DB" >/dev/null 2>&1 || true; fi
    RUN_DB=$name
    pgc_createdb dst "$name" >/dev/null || return 1
    DST=$(pgc_dsn dst "$name")
    if [[ ${2:-} == schema ]]; then
        pgc_psql dst "$name" -f "$WORK/schema.sql" >/dev/null || return 1
    fi
    pgc_psql dst postgres -c CHECKPOINT && pgc_psql src postgres -c CHECKPOINT
}

run_confiture() { # $1 = log prefix, rest: extra options
    local log=$1
    shift
    "$CONFITURE" sync --from "$SRC" --to "$DST" --workers "$J" --format json "$@" 2>"$log.err" |
        while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$log.out"
}
# Phases of a confiture run from its time-stamped JSON events.
confiture_phases() {
    local out=$1 t0=$2 t1=$3
    awk -v t0="$t0" -v t1="$t1" '
        index($0, "{\"event\":\"phase\",\"phase\":\"copy\"}") { copy = $1 }
        index($0, "\"event\":\"task_done\",\"kind\":\"copy\"") { lastcopy = $1 }
        index($0, "{\"event\":\"phase\",\"phase\":\"finish\"}") { fin = $1 }
        END {
            if (!copy || !lastcopy || !fin) { print "phases: n/a"; exit }
            printf "plan+prepare %.1f, copy (to the last chunk, indexes and FKs of finished tables alongside) %.1f, indexes/FKs/ANALYZE after the last chunk %.1f, end checks %.1f",
                copy - t0, lastcopy - copy, fin - lastcopy, t1 - fin
        }' "$out"
}

case_confiture() { # $1 = run id, $2 = extra options ("" or e.g. "--chunk-size 16MB")
    local id=$1 t0 t1 opts=()
    read -r -a opts <<<"${2:-}"
    new_target "r_$id" schema || return 1
    measure_begin
    t0=$EPOCHREALTIME
    run_confiture "$LOGDIR/$id" "${opts[@]}" || {
        say "confiture failed: $(grep -h -e '"ok":false' -e 'error' "$LOGDIR/$id.out" "$LOGDIR/$id.err" | tail -n 3 | cut -d' ' -f2- | tr '\n' ' ')"
        measure_end
        return 1
    }
    t1=$EPOCHREALTIME
    measure_end
    PHASES=$(confiture_phases "$LOGDIR/$id.out" "$t0" "$t1")
}

# ---- the masking cases: bench.users alone, plain then masked

USERS_RULES=$WORK/users-rules.yaml
cat >"$USERS_RULES" <<'YAML'
bench.users:
  - column: email
    strategy: email
  - column: phone
    strategy: phone
  - column: full_name
    strategy: name
  - column: address
    strategy: address
YAML
USERS_MASKED=(email phone full_name address)
USERS_UNMASKED="id, created_at, plan, score, bio"
# A throwaway key for this run, given to the masked sync's environment only.
BENCH_MASK_KEY=$(head -c 32 /dev/urandom | base64)
declare -A U_PH=() U_FORMAT=()
U_RUN_PH='' U_RUN_FORMAT=''

# median "A B C ...": the median of the numbers, 2 decimals.
median() {
    tr ' ' '\n' <<<"$1" | sort -n | awk '{ a[NR] = $1 }
        END { if (NR % 2) printf "%.2f\n", a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Phases of a users run from its time-stamped JSON events, in seconds: "PLAN COPY AFTER LEAK
# END" (plan+prepare; the chunks; after the last chunk: keys, ANALYZE and, masked, the leak
# scan alongside, up to the end of the last task; the leak scan: from the last chunk, which it
# waits for, to its own end, "-" without one; the end of the job), or "n/a" when events are
# missing.
users_phases() {
    local out=$1 t0=$2 t1=$3
    awk -v t0="$t0" -v t1="$t1" '
        index($0, "{\"event\":\"phase\",\"phase\":\"copy\"}") { copy = $1 }
        index($0, "\"event\":\"task_done\",\"kind\":\"copy\"") { lastcopy = $1 }
        index($0, "\"event\":\"task_done\",\"kind\":\"leakscan\"") { leak = $1 }
        index($0, "{\"event\":\"phase\",\"phase\":\"finish\"}") { fin = $1 }
        END {
            if (!copy || !lastcopy || !fin) { print "n/a"; exit }
            printf "%.2f %.2f %.2f %s %.2f\n", copy - t0, lastcopy - copy, fin - lastcopy,
                (leak ? sprintf("%.2f", leak - lastcopy) : "-"), t1 - fin
        }' "$out"
}

case_users() { # $1 = run id, $2 = plain or masked
    local id=$1 t0 t1 p_plan p_copy p_keys p_leak p_end
    new_target "r_$id" schema || return 1
    measure_begin
    t0=$EPOCHREALTIME
    if [[ $2 == masked ]]; then
        CONFITURE_MASK_KEY=$BENCH_MASK_KEY run_confiture "$LOGDIR/$id" --tables bench.users \
            --anonymize --anonymization-config "$USERS_RULES"
    else
        run_confiture "$LOGDIR/$id" --tables bench.users
    fi || {
        say "confiture failed: $(grep -h -e '"ok":false' -e 'error' "$LOGDIR/$id.out" "$LOGDIR/$id.err" | tail -n 3 | cut -d' ' -f2- | tr '\n' ' ')"
        measure_end
        return 1
    }
    t1=$EPOCHREALTIME
    measure_end
    M_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') # 2 decimals: the ratio is what counts
    U_RUN_PH=$(users_phases "$LOGDIR/$id.out" "$t0" "$t1")
    U_RUN_FORMAT=$(grep -m1 '"event":"plan"' "$LOGDIR/$id.out" | grep -o '"table":"bench.users"[^}]*"format":"[a-z]*"' |
        grep -o '"format":"[a-z]*"' | cut -d'"' -f4) || true
    [[ -n $U_RUN_FORMAT ]] || U_RUN_FORMAT='?'
    if [[ $U_RUN_PH == n/a ]]; then
        PHASES="phases: n/a"
    else
        read -r p_plan p_copy p_keys p_leak p_end <<<"$U_RUN_PH"
        PHASES=$(printf 'plan+prepare %.1f, copy %.1f, keys+ANALYZE after the last chunk %.1f' "$p_plan" "$p_copy" "$p_keys")
        [[ $p_leak == - ]] || PHASES+=$(printf ' (the leak scan alongside: %.1f)' "$p_leak")
        PHASES+=$(printf ', end %.1f' "$p_end")
    fi
}

# "rows md5" of bench.users over the columns $3 (a select list), row by row in id order.
users_digest() {
    pgc_sql "$1" "$2" "SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(ROW($3)::text), '' ORDER BY id)), '-') FROM bench.users t"
}
USERS_SRC_ALL=
USERS_SRC_UNMASKED=
# check_users ID: the target's bench.users against the source's; sets CHECK.
check_users() {
    local id=$1 rc=0 all unm idx eq
    local idx_sql="SELECT count(*) FROM pg_index i WHERE i.indisvalid AND i.indrelid = 'bench.users'::regclass"
    [[ -n $USERS_SRC_ALL ]] || USERS_SRC_ALL=$(users_digest src $DB "t.*")
    [[ -n $USERS_SRC_UNMASKED ]] || USERS_SRC_UNMASKED=$(users_digest src $DB "$USERS_UNMASKED")
    idx=$(pgc_sql dst "$RUN_DB" "$idx_sql" 2>/dev/null || echo "?")
    if [[ $id == users-plain ]]; then
        all=$(users_digest dst "$RUN_DB" "t.*" 2>/dev/null || echo "?")
        if [[ $all == "$USERS_SRC_ALL" ]]; then
            CHECK="pass: ${all%% *} rows, every column equal to the source (md5 of the rows in id order)"
        else
            CHECK="FAIL: bench.users differs from the source (target: $all, source: $USERS_SRC_ALL)"
            rc=1
        fi
    else
        unm=$(users_digest dst "$RUN_DB" "$USERS_UNMASKED" 2>/dev/null || echo "?")
        if [[ $unm == "$USERS_SRC_UNMASKED" ]]; then
            CHECK="pass: ${unm%% *} rows, as the source; unmasked columns ($USERS_UNMASKED) equal the source's"
        else
            CHECK="FAIL: rows or unmasked columns differ (target: $unm, source: $USERS_SRC_UNMASKED)"
            rc=1
        fi
        # The masked columns, side by side in id order: the rows whose ids differ, then per
        # masked column the rows whose target value equals the source value (NULLs aside).
        local cols counts c k=0 detail=''
        cols=$(
            IFS=,
            printf '%s' "${USERS_MASKED[*]}"
        )
        [[ -s $WORK/users-src.tsv ]] ||
            pgc_sql src $DB "COPY (SELECT id, $cols FROM bench.users ORDER BY id) TO STDOUT" >"$WORK/users-src.tsv"
        pgc_sql dst "$RUN_DB" "COPY (SELECT id, $cols FROM bench.users ORDER BY id) TO STDOUT" >"$WORK/users-dst.tsv" || rc=1
        eq=$(paste "$WORK/users-src.tsv" "$WORK/users-dst.tsv" | awk -F'\t' -v n="${#USERS_MASKED[@]}" '
            { if ($1 != $(n + 2)) bad++
              for (c = 2; c <= n + 1; c++) if ($c != "\\N" && $c == $(c + n + 1)) eq[c]++ }
            END { printf "%d", bad; for (c = 2; c <= n + 1; c++) printf " %d", eq[c]; printf "\n" }')
        rm -f "$WORK/users-dst.tsv"
        read -r -a counts <<<"$eq"
        for c in "${USERS_MASKED[@]}"; do
            k=$((k + 1))
            detail+="$c ${counts[k]:-?}, "
        done
        if [[ -n $eq && -z ${eq//[0 ]/} ]]; then
            CHECK+="; no masked value equals its source value (${USERS_MASKED[*]}, compared by id)"
        else
            CHECK+="; FAIL: masked values equal to their source value: ${detail%, }; rows whose ids differ: ${counts[0]:-?}"
            rc=1
        fi
    fi
    if [[ $idx != 2 ]]; then
        CHECK+="; FAIL: $idx valid indexes on bench.users, the source has 2"
        rc=1
    fi
    return "$rc"
}

case_copy() {
    local id=$1 t0 t1 t2 t3 t4 t5
    new_target "r_$id" schema || return 1
    measure_begin
    t0=$EPOCHREALTIME
    psql_dst -f "$WORK/copy-drop.sql" >/dev/null || return 1
    t1=$EPOCHREALTIME
    par "$J" copy_one <"$WORK/copy-tables.txt" || return 1
    t2=$EPOCHREALTIME
    par "$J" sql_one <"$WORK/copy-build.sql" || return 1
    t3=$EPOCHREALTIME
    psql_dst -f "$WORK/copy-fk-add.sql" >/dev/null || return 1
    par "$J" sql_one <"$WORK/copy-fk-validate.sql" || return 1
    t4=$EPOCHREALTIME
    psql_dst -f "$WORK/copy-sequences.sql" >/dev/null || return 1
    "$PGC_BIN/vacuumdb" --analyze-only -q -j "$J" -d "$DST" || return 1
    t5=$EPOCHREALTIME
    measure_end
    PHASES="drop $(secs "$t0" "$t1"), COPY $(secs "$t1" "$t2"), keys+indexes $(secs "$t2" "$t3"), FKs $(secs "$t3" "$t4"), sequences+ANALYZE $(secs "$t4" "$t5")"
}

case_pgdump() {
    local id=$1 t0 t1 t2
    new_target "r_$id" || return 1
    rm -rf "$WORK/dump"
    measure_begin
    t0=$EPOCHREALTIME
    "$PGC_BIN/pg_dump" -Fd -j "$J" -f "$WORK/dump" -d "$SRC" 2>"$LOGDIR/$id.err" || return 1
    t1=$EPOCHREALTIME
    "$PGC_BIN/pg_restore" -j "$J" -d "$DST" "$WORK/dump" 2>>"$LOGDIR/$id.err" || return 1
    t2=$EPOCHREALTIME
    measure_end
    PG_DUMP_SIZE=$(du -sh "$WORK/dump" | cut -f1)
    PHASES="pg_dump $(secs "$t0" "$t1"), pg_restore $(secs "$t1" "$t2"); dump directory $PG_DUMP_SIZE (gzip, the default)"
    rm -rf "$WORK/dump"
}

case_pgcopydb() {
    local id=$1
    new_target "r_$id" || return 1
    rm -rf "$WORK/pgcopydb"
    measure_begin
    pgcopydb clone --source "$SRC" --target "$DST" --table-jobs "$J" --index-jobs "$J" \
        --dir "$WORK/pgcopydb" >"$LOGDIR/$id.log" 2>&1 || {
        say "pgcopydb failed: $(grep -m3 -E 'ERROR|FATAL' "$LOGDIR/$id.log" | tr '\n' ' ')"
        measure_end
        return 1
    }
    measure_end
    PHASES=$(awk -F'  +' '/COPY, INDEX, CONSTRAINTS, VACUUM \(wall clock\)/ { c = $4 } /Finalize Schema/ { f = $4 }
        END { if (c) printf "copy+indexes+constraints+VACUUM ANALYZE %s, finalize schema %s (its own summary)", c, f }' "$LOGDIR/$id.log")
    rm -rf "$WORK/pgcopydb"
}

pgcopydb_available() {
    command -v pgcopydb >/dev/null 2>&1 && return 0
    if ((EUID == 0)) && command -v apt-get >/dev/null 2>&1; then
        say "pgcopydb is missing: apt-get install pgcopydb"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgcopydb >"$LOGDIR/apt.log" 2>&1 ||
            { DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$LOGDIR/apt.log" 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgcopydb >>"$LOGDIR/apt.log" 2>&1; }; then
            command -v pgcopydb >/dev/null 2>&1 && return 0
        fi
        NOTES+=("pgcopydb: not installed and apt-get install pgcopydb failed (see tmp/bench-logs/apt.log): skipped.")
        return 1
    fi
    NOTES+=("pgcopydb: not installed, and installing it needs root (apt-get install pgcopydb): skipped.")
    return 1
}

# check ID: compares the target with the source; sets CHECK (text) and returns 0 when equal.
check_target() {
    local id=$1 rc=0 idx con seq summary missing
    pgc_compare src $DB dst "$RUN_DB" >"$LOGDIR/$id.compare" 2>&1 || rc=1
    summary=$(tail -n 1 "$LOGDIR/$id.compare")
    idx=$(pgc_sql dst "$RUN_DB" "$IDX_SQL" 2>/dev/null || echo "?")
    con=$(pgc_sql dst "$RUN_DB" "$CON_SQL" 2>/dev/null || echo "?")
    seq=$(pgc_sql dst "$RUN_DB" "$SEQ_SQL" 2>/dev/null || echo "?")
    if ((rc == 0)); then
        CHECK="pass: ${summary#pgc_compare: }"
    else
        CHECK="FAIL: ${summary#pgc_compare: }"
        grep -m 5 -E '^(DIFF|MISSING)' "$LOGDIR/$id.compare" | sed 's/^/    /' >&2 || true
    fi
    if [[ $idx != "$SRC_IDX" ]]; then
        missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort "$WORK/src-index-names.txt") \
            <(pgc_sql dst "$RUN_DB" "$IDX_NAMES_SQL" 2>/dev/null | LC_ALL=C sort) | awk 'NR <= 5' | paste -sd, -)
        CHECK+="; FAIL: $idx valid indexes, the source has $SRC_IDX${missing:+ (missing or invalid: $missing)}"
        rc=1
    fi
    if [[ $con != "$SRC_CON" ]]; then
        CHECK+="; FAIL: $con validated constraints, the source has $SRC_CON"
        rc=1
    fi
    if [[ $seq != "$SRC_SEQ" ]]; then
        CHECK+="; FAIL: sequences differ"
        rc=1
    fi
    return "$rc"
}

# add_case ID LABEL COMMAND-TEXT FUNCTION [ARG [CHECK]]: registers a method; CHECK (default
# check_target) checks its copy. The methods whose CHECK is check_users copy bench.users
# alone: they go to the report's "Masking cost" section, not to the whole-database table.
declare -a C_FN=() C_ARG=() C_CHECK=() C_RUNS=() C_FAILED=()
add_case() {
    R_ID+=("$1")
    R_LABEL+=("$2")
    R_CMD+=("$3")
    C_FN+=("$4")
    C_ARG+=("${5:-}")
    C_CHECK+=("${6:-check_target}")
    C_RUNS+=(0)
    C_FAILED+=(0)
    R_WALL+=("") R_SRC+=("") R_DST+=("") R_TOOL+=("") R_BUSY+=("") R_IOWAIT+=("") R_OTHER+=("") R_LOCKS+=("")
    R_LOCKFILE+=("")
    R_PHASES+=("") R_ALL+=("") R_STATUS+=("ok") R_CHECK+=("")
}

# run_once I ROUND: runs method I once into a fresh database, checks the copy, keeps the
# fastest run's measures.
run_once() {
    local i=$1 round=$2 id=${R_ID[$1]} tag='' runs=$BENCH_REPEAT
    CUR_ID=$id.round$round
    [[ $id == users-* ]] && runs=$USERS_RUNS
    ((runs > 1)) && tag=" (round $round/$runs)"
    say "run: ${R_LABEL[i]}$tag"
    PHASES=
    M_WALL=0 M_SRC=0 M_DST=0 M_TOOL=0 M_BUSY=0 M_IOWAIT=0 M_OTHER=0 M_LOCKS='' U_RUN_PH='' U_RUN_FORMAT=''
    if ! "${C_FN[i]}" "$id" "${C_ARG[i]}"; then
        say "   FAILED (logs in $LOGDIR)"
        C_FAILED[i]=1
        R_STATUS[i]=FAILED
        R_CHECK[i]="run failed: not checked"
        FAILED=1
        return 0
    fi
    R_ALL[i]="${R_ALL[i]:+${R_ALL[i]} }$M_WALL"
    say "   ${M_WALL}s (CPU s: source ${M_SRC}, target ${M_DST}, client ${M_TOOL}, other processes ${M_OTHER}; machine ${M_BUSY}% busy; target lock waits: ${M_LOCKS}); checking"
    [[ -z $PHASES ]] || say "   phases: $PHASES"
    if "${C_CHECK[i]}" "$id"; then
        say "   $CHECK"
        [[ -n ${R_CHECK[i]} ]] || R_CHECK[i]=$CHECK
    else
        say "   $CHECK"
        R_CHECK[i]=$CHECK
        R_STATUS[i]=FAILED
        FAILED=1
    fi
    if [[ -z ${R_WALL[i]} ]] || awk -v a="$M_WALL" -v b="${R_WALL[i]}" 'BEGIN { exit !(a < b) }'; then
        R_WALL[i]=$M_WALL R_SRC[i]=$M_SRC R_DST[i]=$M_DST R_TOOL[i]=$M_TOOL R_BUSY[i]=$M_BUSY
        R_IOWAIT[i]=$M_IOWAIT R_OTHER[i]=$M_OTHER R_LOCKS[i]=$M_LOCKS R_PHASES[i]=$PHASES
        R_LOCKFILE[i]=$LOGDIR/$CUR_ID.locks
        U_PH[$id]=$U_RUN_PH U_FORMAT[$id]=$U_RUN_FORMAT
    fi
    C_RUNS[i]=$((C_RUNS[i] + 1))
}

want() { [[ " $BENCH_CASES " == *" $1 "* ]]; }

CHUNK_DEFAULT=64MB
if want confiture; then
    add_case confiture "confiture sync, $J workers, chunks of $CHUNK_DEFAULT (default)" \
        "confiture sync --from SRC --to DST --workers $J" case_confiture ""
fi
if want confiture-small && [[ -n $BENCH_SMALL_CHUNK ]]; then
    add_case confiture-small "confiture sync, $J workers, chunks of $BENCH_SMALL_CHUNK" \
        "confiture sync --from SRC --to DST --workers $J --chunk-size $BENCH_SMALL_CHUNK" case_confiture "--chunk-size $BENCH_SMALL_CHUNK"
fi
if want confiture-text; then
    add_case confiture-text "confiture sync, $J workers, text COPY everywhere" \
        "confiture sync --from SRC --to DST --workers $J --copy-format text" case_confiture "--copy-format text"
fi
if want copy; then
    add_case copy "COPY | COPY, $J tables at a time, keys/indexes/FKs dropped and rebuilt $J at a time" \
        "psql -c 'COPY t TO STDOUT' | psql -c 'COPY t FROM STDIN' (+ DDL, setval, vacuumdb --analyze-only -j $J)" case_copy
fi
if want pgdump; then
    add_case pgdump "pg_dump -Fd -j $J + pg_restore -j $J" \
        "pg_dump -Fd -j $J -f DIR SRC && pg_restore -j $J -d DST DIR" case_pgdump
fi
if want pgcopydb; then
    if pgcopydb_available; then
        PGCOPYDB_VERSION=$(pgcopydb --version 2>&1 | awk '$1 == "pgcopydb" && $2 == "version" { print $3; exit }')
        add_case pgcopydb "pgcopydb clone, --table-jobs $J --index-jobs $J (version $PGCOPYDB_VERSION)" \
            "pgcopydb clone --source SRC --target DST --table-jobs $J --index-jobs $J" case_pgcopydb
    else
        say "${NOTES[-1]}"
    fi
fi
if want users-plain; then
    add_case users-plain "bench.users alone, plain" \
        "confiture sync --from SRC --to DST --workers $J --tables bench.users" case_users plain check_users
fi
if want users-masked; then
    add_case users-masked "bench.users alone, 4 columns masked" \
        "CONFITURE_MASK_KEY=... confiture sync --from SRC --to DST --workers $J --tables bench.users --anonymize --anonymization-config users-rules.yaml" \
        case_users masked check_users
fi
((${#R_ID[@]} > 0)) || die "no case to run (BENCH_CASES='$BENCH_CASES')"
# Rounds: every method once per round, so that a passing burst of other load on the machine
# hits different methods rather than all the runs of one.
for ((round = 1; round <= USERS_RUNS; round++)); do
    for i in "${!R_ID[@]}"; do
        ((round <= BENCH_REPEAT)) || [[ ${R_ID[i]} == users-* ]] || continue
        if ((C_FAILED[i] == 0)); then run_once "$i" "$round"; fi
    done
done
if [[ -n $RUN_DB && $BENCH_KEEP != 1 ]]; then pgc_dropdb dst "$RUN_DB" >/dev/null 2>&1 || true; fi

# ------------------------------------------------------------------ the report

T_TOTAL=$(secs "$T_BEGIN" "$EPOCHREALTIME")
REF= # confiture's time, the reference of the ratios
for i in "${!R_ID[@]}"; do
    if [[ ${R_ID[i]} == confiture && -n ${R_WALL[i]} ]]; then REF=${R_WALL[i]}; fi
done

CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
[[ -n $CPU_MODEL ]] || CPU_MODEL=unknown
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
PG_VERSION=$(pgc_sql src postgres "SELECT version()")
DISK_DEV=$(df -P "$PGC_ROOT" | awk 'NR == 2 { print $1 }')
DISK_FS=$(df -PT "$PGC_ROOT" | awk 'NR == 2 { print $2 }')
DISK_SIZE=$(df -Ph "$PGC_ROOT" | awk 'NR == 2 { print $2 " (" $4 " free)" }')
DISK_ROT=
dev_base=$(basename "$DISK_DEV")
if [[ -r /sys/block/$dev_base/queue/rotational ]]; then
    if [[ $(cat "/sys/block/$dev_base/queue/rotational") == 0 ]]; then DISK_ROT=", non-rotational"; else DISK_ROT=", reported rotational"; fi
    [[ $dev_base == vd* || $dev_base == xvd* ]] && DISK_ROT+=" (a virtual disk)"
fi
GIT_REV=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
NCPU=$(nproc)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

# The confiture run, for the "what limits it" section.
ci=
for i in "${!R_ID[@]}"; do [[ ${R_ID[i]} == confiture && -n ${R_WALL[i]} ]] && ci=$i; done
# The whole-database methods (the results table) and the two masking cases.
DB_CASES=()
ui_plain='' ui_masked=''
for i in "${!R_ID[@]}"; do
    case ${R_ID[i]} in
    users-plain) ui_plain=$i ;;
    users-masked) ui_masked=$i ;;
    *) DB_CASES+=("$i") ;;
    esac
done

{
    printf '# Benchmarks\n\n'
    printf 'Generated by `make bench` (scripts/bench.sh) on %s, confiture %s. Every run of `make bench`\n' "$DATE" "$GIT_REV"
    printf 'rewrites this file; numbers from another machine or another day are not comparable with these.\n\n'

    printf '## Machine\n\n'
    printf '| | |\n| --- | --- |\n'
    printf '| CPU | %s, %s cores (`nproc`) |\n' "$CPU_MODEL" "$(nproc)"
    printf '| memory | %s |\n' "$MEM"
    printf '| disk | %s, %s, %s%s |\n' "$DISK_DEV" "$DISK_FS" "$DISK_SIZE" "$DISK_ROT"
    printf '| kernel | %s |\n' "$(uname -sr)"
    printf '| load average when the benchmark started | %s (other work on the machine skews the numbers) |\n' "$LOAD_BEFORE"
    printf '| PostgreSQL | %s |\n' "$PG_VERSION"
    printf '| clusters | source and target on this machine, unix sockets; scripts/pgcluster.sh settings: shared_buffers 256MB, fsync off, synchronous_commit off, full_page_writes off, max_wal_size 4GB |\n\n'
    printf 'Everything shares the %s cores: the source server, the target server and the copying\n' "$(nproc)"
    printf 'processes (confiture'"'"'s coordinator and workers, psql, pg_dump, pg_restore, pgcopydb).\n\n'

    printf '## Data set\n\n'
    printf 'The Pagila schema (tests/data/pagila-schema-pg15.sql, copied from shared/testdata) with rows generated by\n'
    printf 'tests/data/pagila-rows.sql at scale %s, plus a bench-only schema `bench`: `bench.events`, a wide\n' "$BENCH_SCALE"
    printf 'table (int8 primary key, jsonb, inet, one row in 40 with 3-16 kB of text stored in TOAST, three\n'
    printf 'secondary indexes, foreign keys to `customer` and `rental`), `bench.event_tags`, a narrow one\n'
    printf '(two columns, composite primary key, foreign key to `events`), and `bench.users`, users-like\n'
    printf 'rows for the masking cases (int8 primary key, a UNIQUE email, phone, full name, postal address,\n'
    printf 'a creation time, a plan, a score and a bio of 150-420 bytes, a few NULLs). Pagila brings 55\n'
    printf 'monthly partitions of `payment`, bytea pictures and long descriptions in TOAST, arrays, an enum,\n'
    printf 'a domain, a generated column, GiST and unique indexes, and %s foreign keys in all.\n\n' "$DS_FKS"
    printf '%s tables (leaf partitions counted), %s rows, database size %s: %s of tables (with TOAST),\n' \
        "$DS_TABLES" "$DS_ROWS" "$DS_SIZE" "$DS_TABLE_SIZE"
    printf '%s of indexes; %s indexes, %s foreign keys, %s sequences. Loading it took %ss\n' \
        "$DS_INDEX_SIZE" "$DS_INDEXES" "$DS_FKS" "$DS_SEQS" "$T_LOAD"
    printf '(`BENCH_SCALE=%s`).\n\n' "$BENCH_SCALE"
    printf '| table | columns | rows | heap | TOAST | indexes | # indexes | total |\n'
    printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
    awk -F'|' '$1 == "T" && n++ < 12 { printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8, $9 }' "$WORK/dataset.txt"
    nrest=$(grep -c '^T|' "$WORK/dataset.txt" || true)
    if ((nrest > 12)); then printf '| %d smaller tables | | | | | | | |\n' $((nrest - 12)); fi
    printf '\n'

    printf '## Results\n\n'
    if ((${#DB_CASES[@]} == 0)); then
        printf 'No whole-database method ran this time (`BENCH_CASES="%s"`).\n' "$BENCH_CASES"
    else
        printf 'Wall-clock seconds from the start of the command to a complete target: rows, keys, indexes,\n'
        printf 'validated foreign keys, sequences. Each run goes into a freshly created database on the\n'
        printf 'target cluster; confiture and COPY | COPY start from the schema alone (pg_dump --schema-only\n'
        printf 'of the source), pg_dump/pg_restore and pgcopydb from an empty database. "vs confiture" is\n'
        printf 'the run'"'"'s time divided by confiture'"'"'s (default settings): above 1x, confiture was faster.\n'
        printf 'CPU columns: CPU seconds used during the run by the source server, the target server and the\n'
        printf 'client programs, and by other processes on the machine (noise: ideally 0); "busy" is the\n'
        printf 'share of all cores in use over the run. Lock waits: the sessions on the target that waited\n'
        printf 'more than 10 ms for a lock held by another (log_lock_waits, deadlock_timeout = 10ms), and\n'
        printf 'the seconds they waited in all: time in which that session did nothing.\n'
        if ((BENCH_REPEAT > 1)); then printf 'Each method ran %s times; the table shows the fastest run.\n' "$BENCH_REPEAT"; fi
        printf '\n| method | seconds | vs confiture | CPU s source / target / client / other | busy | lock waits on the target | check |\n'
        printf '| --- | ---: | ---: | ---: | ---: | ---: | --- |\n'
        for i in "${DB_CASES[@]}"; do
            if [[ -z ${R_WALL[i]} ]]; then
                printf '| %s | failed | - | - | - | - | %s |\n' "${R_LABEL[i]//|/\\|}" "${R_CHECK[i]}"
                continue
            fi
            r=-
            [[ -n $REF ]] && r=$(ratio "${R_WALL[i]}" "$REF")
            [[ ${R_ID[i]} == confiture ]] && r="1.00x (reference)"
            st=
            [[ ${R_STATUS[i]} != ok ]] && st=" (FAILED)"
            printf '| %s | %s%s | %s | %s / %s / %s / %s | %s%% | %s | %s |\n' "${R_LABEL[i]//|/\\|}" "${R_WALL[i]}" "$st" "$r" \
                "${R_SRC[i]}" "${R_DST[i]}" "${R_TOOL[i]}" "${R_OTHER[i]}" "${R_BUSY[i]}" "${R_LOCKS[i]}" "${R_CHECK[i]}"
        done
        if [[ -n $REF ]] && ((${#DB_CASES[@]} > 1)); then printf '\nIn words:\n\n'; fi
        for i in "${DB_CASES[@]}"; do
            [[ ${R_ID[i]} == confiture || -z ${R_WALL[i]} || -z $REF ]] && continue
            printf -- '- %s: %s confiture'"'"'s time (%ss against %ss)' "${R_LABEL[i]}" "$(ratio "${R_WALL[i]}" "$REF")" "${R_WALL[i]}" "$REF"
            if [[ ${R_ID[i]} == pgdump ]]; then
                # PHASES of the fastest run: "pg_dump A, pg_restore B; ..."
                read -r _ d _ r _ <<<"${R_PHASES[i]//,/ }"
                printf '; pg_dump alone %ss (%s), pg_restore alone %ss (%s)' "$d" "$(ratio "$d" "$REF")" "${r%;}" "$(ratio "${r%;}" "$REF")"
            fi
            if [[ ${R_ID[i]} == confiture-text ]]; then
                if awk -v a="${R_WALL[i]}" -v b="$REF" 'BEGIN { exit !(a > 1.05 * b) }'; then
                    printf ': the binary COPY format, which confiture uses where both sides have the same types, is %s faster than text here' "$(ratio "${R_WALL[i]}" "$REF")"
                else
                    printf ': the binary COPY format, which confiture uses where both sides have the same types, made no clear difference against text on this run'
                fi
            fi
            if [[ ${R_ID[i]} == confiture-small ]]; then
                if awk -v a="${R_WALL[i]}" -v b="$REF" 'BEGIN { exit !(a < 0.95 * b) }'; then
                    printf ': smaller chunks help on this data set'
                else
                    printf ': smaller chunks make no clear difference on this data set'
                fi
            fi
            printf '.\n'
        done
        printf '\nCommands and where the time went (seconds):\n\n'
        for i in "${DB_CASES[@]}"; do
            printf -- '- **%s**: `%s`' "${R_LABEL[i]}" "${R_CMD[i]}"
            [[ -n ${R_PHASES[i]} ]] && printf '. %s' "${R_PHASES[i]}"
            if ((BENCH_REPEAT > 1)) && [[ -n ${R_ALL[i]} ]]; then printf '. All runs: %s' "${R_ALL[i]}"; fi
            printf '.\n'
        done
        printf '\nWhat each method does beyond copying rows: confiture and COPY | COPY run ANALYZE on every\n'
        printf 'table; pgcopydb runs VACUUM ANALYZE; pg_restore runs neither (the target has no statistics\n'
        printf 'until autovacuum gets to it). pg_dump -Fd compresses with gzip by default, which costs CPU\n'
        printf 'on a 2-core machine. The COPY | COPY baseline disables triggers while loading\n'
        printf '(session_replication_role = replica), adds foreign keys NOT VALID then validates them two at\n'
        printf 'a time, and recreates partitioned indexes under new partition index names.\n'
    fi
    if [[ -n $ui_plain || -n $ui_masked ]]; then
        printf '\nThe masking cases, which copy `bench.users` alone, are in [Masking cost](#masking-cost) below.\n'
    fi
    for n in "${NOTES[@]}"; do printf '\n%s\n' "$n"; done
    printf '\n'

    if [[ -n $ci ]]; then
        printf '## What limits confiture here\n\n'
        printf 'This machine has %s cores, and one sync keeps three kinds of processes busy on them at once:\n' "$NCPU"
        printf 'the source server (the snapshot, COPY TO), the target server (COPY FROM, then index builds,\n'
        printf 'foreign key validation and ANALYZE) and confiture'"'"'s coordinator and workers (which relay\n'
        printf 'the COPY stream from one connection to the other).\n'
        cap=$(awk -v w="${R_WALL[ci]}" -v n="$NCPU" 'BEGIN { printf "%.1f", w * n }')
        share() { awk -v x="$1" -v c="$cap" 'BEGIN { printf "%.0f%%", (c > 0 ? 100 * x / c : 0) }'; }
        printf 'Where the CPU went during the confiture run above (%ss of wall clock, so %s CPU seconds\n' "${R_WALL[ci]}" "$cap"
        printf 'of capacity on %s cores):\n\n' "$NCPU"
        printf '| process | CPU seconds | share of the capacity |\n| --- | ---: | ---: |\n'
        printf '| target server | %s | %s |\n' "${R_DST[ci]}" "$(share "${R_DST[ci]}")"
        printf '| source server | %s | %s |\n' "${R_SRC[ci]}" "$(share "${R_SRC[ci]}")"
        printf '| confiture (CLI, coordinator, workers) | %s | %s |\n' "${R_TOOL[ci]}" "$(share "${R_TOOL[ci]}")"
        printf '| other processes on the machine (not the benchmark) | %s | %s |\n\n' "${R_OTHER[ci]}" "$(share "${R_OTHER[ci]}")"
        printf 'The machine was %s%% busy over the run and %s%% waiting for I/O. ' "${R_BUSY[ci]}" "${R_IOWAIT[ci]}"
        if ((R_BUSY[ci] >= 90)); then
            printf 'The copy is CPU bound: the\n'
            printf 'cores were busy all along, most of it in the target server, which parses the binary COPY\n'
            printf 'stream, writes heap and TOAST pages, then sorts for the index builds, checks foreign keys\n'
            printf 'and samples for ANALYZE. confiture'"'"'s own processes are a small share: they pass bytes\n'
            printf 'along. More workers than cores cannot help here; they only take turns on the same cores.\n'
        else
            printf 'The cores were not saturated\n'
            printf 'over the whole run: %s%% of the capacity stayed idle, in moments when fewer tasks ran\n' "$((100 - R_BUSY[ci]))"
            printf 'than there are cores: the planning at the start, a worker waiting for a lock (below), the\n'
            printf 'last tasks at the end; see the phases below.\n'
        fi
        if [[ -s ${R_LOCKFILE[ci]} ]]; then
            printf 'Lock waits on the target over 10 ms during that run: %s of waiting. While one of\n' "${R_LOCKS[ci]}"
            printf 'the %s workers waits for a lock held by the other'"'"'s task, only one task runs. By what the\n' "$J"
            printf 'waiting statement was doing:\n\n'
            printf '| waiting statement | waits | seconds |\n| --- | ---: | ---: |\n'
            awk '{ k = "other: " substr($0, index($0, $3), 60) }
                 / FOREIGN KEY / { k = "ALTER TABLE ADD FOREIGN KEY (SHARE ROW EXCLUSIVE on both tables)" }
                 / VALIDATE CONSTRAINT / { k = "ALTER TABLE VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE)" }
                 / (PRIMARY KEY|UNIQUE) / && !/ FOREIGN KEY / { k = "ALTER TABLE ADD PRIMARY KEY / UNIQUE (ACCESS EXCLUSIVE)" }
                 /^[0-9.]+ [A-Za-z]+ (CREATE|create) / { k = "CREATE [UNIQUE] INDEX (SHARE)" }
                 / ANALYZE / {
                     # a finish task: which of its statements waited shows in the lock mode
                     if ($2 == "AccessExclusiveLock") k = "finish: ALTER TABLE ADD CONSTRAINT ... USING INDEX (ACCESS EXCLUSIVE)"
                     else if ($2 == "ShareRowExclusiveLock") k = "finish: ALTER TABLE ENABLE TRIGGER (SHARE ROW EXCLUSIVE)"
                     else k = "finish: ANALYZE (SHARE UPDATE EXCLUSIVE)"
                 }
                 { n[k]++; t[k] += $1 }
                 END { for (k in n) printf "%.3f|%s|%d\n", t[k] / 1000, k, n[k] }' "${R_LOCKFILE[ci]}" |
                sort -t'|' -k1,1 -rn | awk -F'|' 'NR <= 6 { printf "| %s | %s | %.1f |\n", $2, $3, $1 }'
            printf '\nThe statements that waited, with the time they waited, are in tmp/bench-logs/*.locks.\n\n'
        fi
        printf 'Durability is off on these throwaway clusters (fsync, full_page_writes) and the data set\n'
        printf 'fits in memory, so the disk plays little part. On real servers, with the source and the\n'
        printf 'target on their own machines, a sync has about three times the CPU, and the network or the\n'
        printf 'target'"'"'s disk is more likely to be the limit.\n\n'
        printf '%s\n' "Its phases (seconds): ${R_PHASES[ci]}."
    fi

    if [[ -n $ui_plain || -n $ui_masked ]]; then
        printf '\n## Masking cost\n\n'
        printf 'The target: a sync with four masked columns on a users-like table takes at most 1.10x the\n'
        printf 'time of the same sync unmasked.\n\n'
        IFS='|' read -r _ _ _ u_rows u_heap _ u_idx _ u_total < <(grep '^T|bench.users|' "$WORK/dataset.txt") || true
        printf 'Two runs copy `bench.users` alone (%s rows; %s of heap, %s of indexes: the primary key and\n' "${u_rows:-?}" "${u_heap:-?}" "${u_idx:-?}"
        printf 'the UNIQUE email; %s in all), each into a freshly created target database holding the schema\n' "${u_total:-?}"
        printf 'only, with %s workers and the default chunk size:\n\n' "$J"
        printf -- '- **plain**: `confiture sync --from SRC --to DST --workers %s --tables bench.users`;\n' "$J"
        printf -- '- **masked**: the same with `--anonymize --anonymization-config users-rules.yaml`, and\n'
        printf '  `CONFITURE_MASK_KEY` (a random key drawn for the run) in the environment of that command only.\n'
        printf '  The rules mask four columns: `email` (strategy `email`), `phone` (`phone`), `full_name`\n'
        printf '  (`name`) and `address` (`address`); `id`, `created_at`, `plan`, `score` and `bio` are copied as\n'
        printf '  they are.\n\n'
        if ((USERS_RUNS > 1)); then
            printf 'Each ran %s times, the two one after the other in each round (with the other methods in\n' "$USERS_RUNS"
            printf 'the first %s rounds); the table shows the fastest run. Runs this short vary by several\n' "$BENCH_REPEAT"
            printf 'percent from one to the next on a shared machine, so the ratio is given for the medians as\n'
            printf 'well as for the fastest runs, and the target is judged on the medians.\n'
        fi
        printf 'Checks: the plain copy equals the source (md5 of every row in id order); the masked copy has\n'
        printf 'the same rows (ids), its unmasked columns equal the source'"'"'s, and none of its masked values\n'
        printf 'equals the source value of the same row (every masked column compared by id, outside\n'
        printf 'confiture). Both copies have the table'"'"'s two valid indexes.\n\n'
        printf '| run | seconds | COPY format | CPU s source / target / client / other | busy | check |\n'
        printf '| --- | ---: | --- | ---: | ---: | --- |\n'
        for i in $ui_plain $ui_masked; do
            if [[ -z ${R_WALL[i]} ]]; then
                printf '| %s | failed | - | - | - | %s |\n' "${R_LABEL[i]}" "${R_CHECK[i]}"
                continue
            fi
            st=
            [[ ${R_STATUS[i]} != ok ]] && st=" (FAILED)"
            printf '| %s | %s%s | %s | %s / %s / %s / %s | %s%% | %s |\n' "${R_LABEL[i]}" "${R_WALL[i]}" "$st" \
                "${U_FORMAT[${R_ID[i]}]:-?}" "${R_SRC[i]}" "${R_DST[i]}" "${R_TOOL[i]}" "${R_OTHER[i]}" "${R_BUSY[i]}" \
                "${R_CHECK[i]}"
        done
        if ((USERS_RUNS > 1)); then
            printf '\nAll runs (seconds): plain %s; masked %s.\n' "${R_ALL[ui_plain]:--}" "${R_ALL[ui_masked]:--}"
        fi
        printf '\n'
        if [[ -n $ui_plain && -n $ui_masked && -n ${R_WALL[ui_plain]} && -n ${R_WALL[ui_masked]} ]]; then
            wp=${R_WALL[ui_plain]} wm=${R_WALL[ui_masked]}
            mp=$(median "${R_ALL[ui_plain]}") mm=$(median "${R_ALL[ui_masked]}")
            if awk -v m="$mm" -v p="$mp" 'BEGIN { exit !(m <= 1.10 * p) }'; then
                verdict="The 1.10x target was met on this run (medians)."
            else
                verdict="The 1.10x target was NOT met on this run (medians)."
            fi
            printf '**masked / plain: %s by the medians** (%ss against %ss); %s fastest against fastest (%ss against %ss). %s\n\n' \
                "$(ratio "$mm" "$mp")" "$mm" "$mp" "$(ratio "$wm" "$wp")" "$wm" "$wp" "$verdict"

            # Phase by phase, from the JSON events of the two fastest runs.
            read -r pp_plan pp_copy pp_keys _ pp_end <<<"${U_PH[users-plain]:-n/a}"
            read -r pm_plan pm_copy pm_keys pm_leak pm_end <<<"${U_PH[users-masked]:-n/a}"
            if [[ $pp_plan != n/a && $pm_plan != n/a ]]; then
                printf 'Where the time went, in seconds (from confiture'"'"'s JSON events, with their arrival times):\n\n'
                printf '| phase | plain | masked | masked - plain |\n| --- | ---: | ---: | ---: |\n'
                phase_row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {
                    if (a == "-") a = 0; if (b == "-") b = 0; printf "| %s | %.2f | %.2f | %+.2f |\n", n, a, b, b - a }'; }
                phase_row "plan and prepare (masked: with the rules preflight)" "$pp_plan" "$pm_plan"
                phase_row "copy: every chunk loaded (masked: masking in the workers)" "$pp_copy" "$pm_copy"
                phase_row "after the last chunk: keys (primary key, UNIQUE email), ANALYZE (masked: and the leak scan)" "$pp_keys" "$pm_keys"
                phase_row "end of the job" "$pp_end" "$pm_end"
                printf '| **total** | **%s** | **%s** | **%+.2f** |\n\n' "$wp" "$wm" "$(awk -v a="$wp" -v b="$wm" 'BEGIN { print b - a }')"
            fi
            printf 'What the masked run does beyond the plain one, all of it inside its %ss:\n\n' "$wm"
            printf -- '- before the copy, the rules preflight: the rules checked against the source'"'"'s catalog,\n'
            printf '  and a sample of the source'"'"'s rows read to warn about columns that look personal but have\n'
            printf '  no rule (in "plan and prepare");\n'
            printf -- '- the masking, in the workers, on the COPY stream: each row parsed, the four masked fields\n'
            printf '  decoded, masked and written back, the other fields copied as bytes. Its cost in time is\n'
            if [[ $pp_plan != n/a && $pm_plan != n/a ]]; then
                printf '  in the copy phase above (%+.2f s);' "$(awk -v a="$pp_copy" -v b="$pm_copy" 'BEGIN { print b - a }')"
            else
                printf '  in the copy phase;'
            fi
            printf ' in CPU, the client programs (the CLI, the coordinator and the\n'
            printf '  workers) used %s s masked against %s s plain, a figure that also counts the worker'"'"'s\n' "${R_TOOL[ui_masked]}" "${R_TOOL[ui_plain]}"
            printf '  share of the leak scan (below): reading and merging both sides'"'"' hashes;\n'
            printf -- '- once every chunk is loaded, the leak scan: one task that reads every row of both sides\n'
            printf '  and compares each masked column of the target with the source (docs/masking.md#the-leak-scan).\n'
            printf '  Each server computes, for every row, a 64-bit hash of each masked column and sorts the rows\n'
            printf '  by the key; the worker merges the two streams. It runs alongside the key builds and ANALYZE\n'
            printf '  (the keys are built as indexes under SHARE locks, then attached in an instant)'
            if [[ ${pm_leak:-n/a} != n/a && ${pm_leak:--} != - ]]; then
                printf ', and ended\n  %.2fs after the last chunk, against %.2fs for the whole phase after the last chunk.\n' "$pm_leak" "$pm_keys"
            else
                printf '.\n'
            fi
            printf '  It is most of the extra server CPU: source %s s masked against %s s plain, target %s s\n' \
                "${R_SRC[ui_masked]}" "${R_SRC[ui_plain]}" "${R_DST[ui_masked]}"
            printf '  against %s s. On this machine every process shares 2 cores, so that CPU shows in the\n' "${R_DST[ui_plain]}"
            printf '  wall clock; with source and target on hosts of their own, each side of the scan runs on\n'
            printf '  its own server.\n\n'
            printf 'The leak scan is part of every masked sync (there is no option to skip it), so the ratio\n'
            printf 'that counts against the target is the whole run'"'"'s: %s by the medians.\n' "$(ratio "$mm" "$mp")"
        else
            printf 'No ratio: both cases must run (`BENCH_CASES="users-plain users-masked"`) and succeed.\n'
        fi
    fi

    printf '\n## Masking micro-benchmarks (one core, no database)\n\n'
    printf 'What masking costs a worker, measured by the programs in tests/bench/ on data generated in\n'
    printf 'memory: parsing and rewriting COPY text rows (`copyrow_bench`, 100 MB of users-like rows)\n'
    printf 'and masking values (`mask_bench`, 1M values per strategy). Each runs in one thread: every\n'
    printf 'figure (MB/s, rows/s, values/s, ns/value) is per core. `rewrite/N` and `binary/N` mask N\n'
    printf 'fields of each row (text and binary COPY); `/0` only parses and copies the rows.\n\n```\n'
    for tool in copyrow_bench mask_bench; do
        if [[ -x $REPO/build/$tool ]]; then
            if [[ $tool == copyrow_bench ]]; then "$REPO/build/$tool" 100 2>&1; else "$REPO/build/$tool" 2>&1; fi ||
                printf '%s failed\n' "$tool"
        else
            printf '%s not built (run make bench)\n' "$tool"
        fi
    done
    printf '```\n'
    printf '\n## Reproduce\n\n'
    printf '```\nmake bench                       # builds, then runs scripts/bench.sh (%s here, in all)\n' "$(hms "$T_TOTAL")"
    printf 'BENCH_SCALE=4 make bench         # a smaller data set (~80 MB per unit of scale)\n'
    printf 'BENCH_REPEAT=3 make bench        # each method three times, the fastest shown\n'
    printf 'BENCH_CASES="confiture copy" make bench   # only some methods\n'
    printf 'BENCH_CASES="users-plain users-masked" BENCH_REPEAT=1 make bench   # only the masking cost (%s runs each)\n' "$BENCH_USERS_REPEAT"
    printf 'BENCH_KEEP=1 make bench          # keep the clusters and files afterwards\n```\n\n'
    printf 'Needs PostgreSQL 15 (scripts/install-deps.sh); pgcopydb comes from Debian (`apt-get install\n'
    printf 'pgcopydb`, done by the script when it runs as root). The logs of the last run are in\n'
    printf 'tmp/bench-logs/: confiture'"'"'s JSON events with arrival times (`*.out`), its messages\n'
    printf '(`*.err`), the comparisons (`*.compare`) and pgcopydb'"'"'s log.\n'
} >"$WORK/benchmarks.md"
mkdir -p "$(dirname "$BENCH_OUT")"
cp "$WORK/benchmarks.md" "$BENCH_OUT"
say "wrote $BENCH_OUT (total $(hms "$T_TOTAL"))"
sed -n -e '/^| method/,/^$/p' -e '/^| run /,/^$/p' -e '/^\*\*masked \/ plain/p' "$BENCH_OUT" >&2

if ((FAILED)); then
    say "FAILED: a run failed or a copy differs from the source (logs in $LOGDIR)"
    exit 1
fi
say "ok"
