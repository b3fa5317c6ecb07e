#!/usr/bin/env bash
# make bench: time transmog next to its peers, in one run, on data made by
# ../shared/bench/gen.py.  What runs is listed in bench/cases; how to read the
# output, and the environment knobs, are in bench/README.md.
#
# Numbers are reported, never asserted: this script fails only when it cannot
# measure at all (no data, no sqlite3, no /usr/bin/time).
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")

# ------------------------------------------------------------------ knobs
QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then
  RECORDS=${BENCH_RECORDS:-20000}
  RUNS=${BENCH_RUNS:-1}
else
  RECORDS=${BENCH_RECORDS:-1000000}
  RUNS=${BENCH_RUNS:-3}
fi
SMALL_RECORDS=${BENCH_SMALL_RECORDS:-$((RECORDS / 5))}
SLOW_RUNS=${BENCH_SLOW_RUNS:-1}
SEED=${BENCH_SEED:-42}
TIMEOUT=${BENCH_TIMEOUT:-900}
ONLY=${BENCH_ONLY:-}
DATA=${BENCH_DATA:-/tmp/tmbench}
PEERS=${BENCH_PEERS:-/tmp/tmpeers}
SHARED=${BENCH_SHARED:-$ROOT/../shared}
CASES=${BENCH_CASES:-$HERE/cases}
INSTALL=${BENCH_INSTALL:-1}
DUCKDB_PKG=${BENCH_DUCKDB_PKG:-@duckdb/node-api}
BASELINE=${BENCH_BASELINE:-}
BUILD_CC=${BENCH_CC:-cc}
BUILD_CFLAGS=${BENCH_CFLAGS:--O2 -g}

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

[[ $RECORDS =~ ^[0-9]+$ && $RECORDS -gt 0 ]] || die "BENCH_RECORDS must be a positive integer"
[[ $SMALL_RECORDS =~ ^[0-9]+$ && $SMALL_RECORDS -gt 0 ]] || die "BENCH_SMALL_RECORDS must be a positive integer"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "BENCH_RUNS must be a positive integer"
[[ $SLOW_RUNS =~ ^[0-9]+$ && $SLOW_RUNS -gt 0 ]] || die "BENCH_SLOW_RUNS must be a positive integer"
[[ -f $SHARED/bench/gen.py ]] || die "no $SHARED/bench/gen.py (set BENCH_SHARED)"
SHARED=$(cd "$SHARED" && pwd)
[[ -f $CASES ]] || die "no cases file $CASES"

mkdir -p "$DATA" "$PEERS" || die "cannot create $DATA or $PEERS"
WORK=$(mktemp -d "$DATA/work.XXXXXX") || die "cannot create a scratch dir in $DATA"
BASE_WT=   # the baseline's worktree while it is being built
trap '[[ -z $BASE_WT ]] || git -C "$ROOT" worktree remove --force "$BASE_WT"; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/out" "$DATA/logs"
STAMP=$(date +%Y%m%d-%H%M%S)

# ------------------------------------------------------------------ installs
as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1; fi
}
APT_UPDATED=0
apt_install() {  # apt_install PKG...: quiet, logged; runs apt-get update once if needed
  [[ $INSTALL == 1 ]] || return 1
  command -v apt-get >/dev/null || return 1
  note "installing $* with apt-get (log: $DATA/logs/apt.log)"
  if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$DATA/logs/apt.log" 2>&1; then
    return 0
  fi
  if [[ $APT_UPDATED == 0 ]]; then
    APT_UPDATED=1
    as_root apt-get update -q >>"$DATA/logs/apt.log" 2>&1 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$DATA/logs/apt.log" 2>&1
  else
    return 1
  fi
}
have_pkg() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

declare -A HAVE=()   # peer or feature -> 1
declare -A VERS=()   # name -> version text for the header

# /usr/bin/time and sqlite3 are required; everything else is optional.
[[ -x /usr/bin/time ]] || apt_install time || die "/usr/bin/time is missing and could not be installed (apt-get install time)"
command -v sqlite3 >/dev/null || apt_install sqlite3 || die "sqlite3 is missing and could not be installed"
command -v python3 >/dev/null || die "python3 is needed by gen.py"

SO=$ROOT/transmog
if [[ ! -f $SO.so ]]; then
  make -C "$ROOT" transmog.so >&2 || die "cannot build transmog.so"
fi

setup_simdjson() {
  SIMDJSON=$PEERS/simdjson_count
  local src=$SHARED/bench/simdjson_count.cpp
  if ! have_pkg libsimdjson-dev; then
    apt_install libsimdjson-dev || { note "PEER MISSING: simdjson (apt-get install libsimdjson-dev failed); its rows are skipped"; return; }
  fi
  command -v g++ >/dev/null || apt_install g++ || { note "PEER MISSING: simdjson (no g++)"; return; }
  # rebuild when the source or the library changed
  local key; key="$(sha256sum "$src" | cut -c1-16) $(dpkg-query -W -f '${Version}' libsimdjson-dev 2>/dev/null)"
  if [[ ! -x $SIMDJSON || ! -f $SIMDJSON.key || $(cat "$SIMDJSON.key") != "$key" ]]; then
    note "building $SIMDJSON"
    if g++ -O3 -march=native -std=c++17 -o "$SIMDJSON.tmp" "$src" -lsimdjson 2>"$DATA/logs/simdjson_build.log"; then
      mv "$SIMDJSON.tmp" "$SIMDJSON" && echo "$key" >"$SIMDJSON.key"
    else
      note "PEER MISSING: simdjson (build failed, see $DATA/logs/simdjson_build.log)"; return
    fi
  fi
  HAVE[simdjson]=1
  VERS[simdjson]="libsimdjson-dev $(dpkg-query -W -f '${Version}' libsimdjson-dev 2>/dev/null)"
}

setup_duckdb() {
  local dir=$PEERS/duckdb
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm || { note "PEER MISSING: duckdb (no node/npm)"; return; }
  fi
  mkdir -p "$dir"
  if [[ ! -d $dir/node_modules/@duckdb/node-api ]]; then
    [[ $INSTALL == 1 ]] || { note "PEER MISSING: duckdb (not in $dir, and BENCH_INSTALL=0)"; return; }
    note "npm install $DUCKDB_PKG in $dir (log: $DATA/logs/npm.log)"
    if ! (cd "$dir" && { [[ -f package.json ]] || echo '{"private":true}' >package.json; } &&
         npm install --no-audit --no-fund --loglevel=error "$DUCKDB_PKG" >>"$DATA/logs/npm.log" 2>&1); then
      note "PEER MISSING: duckdb (npm install $DUCKDB_PKG failed, see $DATA/logs/npm.log)"; return
    fi
  fi
  local v
  v=$(cd "$dir" && node -e '
    const d = require("@duckdb/node-api");
    (async () => {
      const c = await (await d.DuckDBInstance.create(":memory:")).connect();
      const r = (await c.runAndReadAll("SELECT version(), current_setting(\x27threads\x27)")).getRows()[0];
      console.log(`${r[0]} (threads=${r[1]}, @duckdb/node-api ${JSON.parse(require("fs").readFileSync("node_modules/@duckdb/node-api/package.json")).version})`);
    })().catch(e => { console.error(e.message); process.exit(1); });' 2>>"$DATA/logs/npm.log") ||
    { note "PEER MISSING: duckdb (installed but does not run, see $DATA/logs/npm.log)"; return; }
  HAVE[duckdb]=1
  VERS[duckdb]="$v, node $(node --version)"
}

setup_zcat() {
  command -v zcat >/dev/null || apt_install gzip || { note "PEER MISSING: zcat"; return; }
  HAVE[zcat]=1
  VERS[zlib]=$(dpkg-query -W -f '${Version}' zlib1g 2>/dev/null || echo '?')
}

# ISA-L's igzip: the inflate-alone anchor when transmog is built with ISA-L
setup_igzip() {
  command -v igzip >/dev/null || apt_install isal || { note "PEER MISSING: igzip"; return; }
  HAVE[igzip]=1
  VERS[isal]=$(dpkg-query -W -f '${Version}' isal 2>/dev/null || echo '?')
}

# transmog features that later issues add: rows tagged with them wait for
# them.  probe_build SO PREFIX sets HAVE[PREFIXvtab], HAVE[PREFIXexport] and
# PROBED, the transmog_version() of the build SO.
probe_build() {
  local q="SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_module_list UNION SELECT name FROM pragma_function_list) WHERE name LIKE 'transmog%'"
  local names; names=" $(sqlite3 -batch :memory: ".load $1" "$q" 2>/dev/null) "
  [[ $names == *" transmog "* ]] && HAVE[${2}vtab]=1
  [[ $names == *" transmog_export "* ]] && HAVE[${2}export]=1
  PROBED=$(sqlite3 -batch :memory: ".load $1" "SELECT transmog_version()" 2>/dev/null || echo '?')
}
probe_features() {
  probe_build "$SO" ""
  VERS[transmog]="$PROBED ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no git')$(git -C "$ROOT" diff --quiet HEAD -- src ext 2>/dev/null || echo ', src/ext modified'))"
  [[ -z $BASELINE ]] && return
  probe_build "$BASE_SO" base_
  VERS[baseline]="$PROBED ($BASELINE = ${BASE_SHA:0:12})"
}

# BENCH_BASELINE: the revision's transmog.so, built in a scratch git worktree
# with the same compiler and flags as this one, kept in $DATA/builds/ under
# its commit and a hash of the flags so that the next run reuses it.  Sets BASE_SO and BASE_SHA.
setup_baseline() {
  BASE_SHA=$(git -C "$ROOT" rev-parse --verify -q "$BASELINE^{commit}") ||
    die "BENCH_BASELINE '$BASELINE' is not a commit of $ROOT"
  local key; key=$(printf '%s\n' "$BUILD_CC" "$BUILD_CFLAGS" "$($BUILD_CC --version 2>&1 | head -n1)" \
                   "$(ls /usr/include/isa-l/igzip_lib.h 2>/dev/null)" | sha256sum | cut -c1-12)
  # named transmog.so: SQLite finds the entry point from the file name
  BASE_SO=$DATA/builds/${BASE_SHA:0:12}-$key/transmog
  [[ -f $BASE_SO.so ]] && { note "baseline $BASELINE: reusing $BASE_SO.so"; return; }
  mkdir -p "${BASE_SO%/*}"
  BASE_WT=$WORK/baseline
  note "baseline $BASELINE: building ${BASE_SHA:0:12} in $BASE_WT (log: $DATA/logs/baseline.log)"
  { git -C "$ROOT" worktree add --detach "$BASE_WT" "$BASE_SHA" &&
    make -C "$BASE_WT" CC="$BUILD_CC" CFLAGS="$BUILD_CFLAGS" transmog.so &&
    cp "$BASE_WT/transmog.so" "$BASE_SO.tmp$$.so" && mv "$BASE_SO.tmp$$.so" "$BASE_SO.so"; } \
    >"$DATA/logs/baseline.log" 2>&1 || die "cannot build the baseline (see $DATA/logs/baseline.log)"
  git -C "$ROOT" worktree remove --force "$BASE_WT" && BASE_WT=
}

# ------------------------------------------------------------------ data
GEN=$SHARED/bench/gen.py
GEN_KEY=$(sha256sum "$GEN" | cut -c1-16)

label_of() {  # 1000000 -> 1m, 200000 -> 200k
  local n=$1 s
  if ((n % 1000000 == 0)); then s="$((n / 1000000))m"
  elif ((n % 1000 == 0)); then s="$((n / 1000))k"
  else s=$n; fi
  [[ $SEED == 42 ]] || s+="_s$SEED"
  echo "$s"
}

# ensure_data N PATH [PLAIN]: PATH holds gen.py's N records (seed SEED), made
# only when missing or wrong.  A sidecar PATH.meta records what was checked;
# a file without one (made elsewhere) is checked once: line count and first
# MiB against gen.py for JSONL, inflated content equal to PLAIN for .gz.
ensure_data() {
  local n=$1 out=$2 plain=${3:-} meta=$2.meta
  local want="gen=$GEN_KEY records=$n seed=$SEED"
  if [[ -f $out && -f $meta && $(sed -n 1p "$meta") == "$want" && $(sed -n 2p "$meta") == "$(stat -c %s "$out")" ]]; then
    return 0
  fi
  if [[ -f $out ]]; then
    note "checking $out (made without a .meta sidecar)"
    local ok=0
    if [[ $out == *.gz ]]; then
      zcat "$out" 2>/dev/null | cmp -s - "$plain" && ok=1
    else
      if [[ $(wc -l <"$out") == "$n" && $(tail -c1 "$out" | od -An -c | tr -d ' ') == '\n' ]] &&
         cmp -s -n 1048576 <(python3 "$GEN" --records "$n" --seed "$SEED" --out - 2>/dev/null) "$out"; then
        ok=1
      fi
    fi
    if [[ $ok == 1 ]]; then
      printf '%s\n%s\n' "$want" "$(stat -c %s "$out")" >"$meta"; return 0
    fi
    note "$out is not gen.py --records $n --seed $SEED: regenerating"
  fi
  note "generating $out ($n records; cached for later runs)"
  local t0=$SECONDS tmp
  tmp="${out%.jsonl*}.tmp$$.jsonl${out##*.jsonl}"
  python3 "$GEN" --records "$n" --seed "$SEED" --out "$tmp" || { rm -f "$tmp"; die "gen.py failed for $out"; }
  mv "$tmp" "$out"
  printf '%s\n%s\n' "$want" "$(stat -c %s "$out")" >"$meta"
  note "generated $out in $((SECONDS - t0)) s"
}

declare -A F_PATH=() F_MAIN=() F_NREC=() F_BYTES=() F_DISK=()
LABELS=(big small gz)
setup_files() {
  local lb ls
  lb=$(label_of "$RECORDS"); ls=$(label_of "$SMALL_RECORDS")
  F_PATH[big]=$DATA/orders_$lb.jsonl;     F_NREC[big]=$RECORDS
  F_PATH[small]=$DATA/orders_$ls.jsonl;   F_NREC[small]=$SMALL_RECORDS
  F_PATH[gz]=$DATA/orders_$lb.jsonl.gz;   F_NREC[gz]=$RECORDS
  ensure_data "$RECORDS" "${F_PATH[big]}"
  ensure_data "$SMALL_RECORDS" "${F_PATH[small]}"
  ensure_data "$RECORDS" "${F_PATH[gz]}" "${F_PATH[big]}"
  local l
  for l in "${LABELS[@]}"; do
    F_MAIN[$l]=orders_${l/big/$lb}; F_MAIN[$l]=${F_MAIN[$l]/small/$ls}; F_MAIN[$l]=${F_MAIN[$l]/gz/$lb}
    F_DISK[$l]=$(stat -c %s "${F_PATH[$l]}")
  done
  # MB/s is over the JSON bytes: for .gz, the inflated size (same content as big)
  F_BYTES[big]=${F_DISK[big]}; F_BYTES[small]=${F_DISK[small]}; F_BYTES[gz]=${F_DISK[big]}
}

# ------------------------------------------------------------------ cases
# helpers the case commands use (exported into `bash -c`)
tm_sql() { exec sqlite3 -batch -bail :memory: ".load $TM_SO" "$@"; }
tm_db() { local db=$1; shift; exec sqlite3 -batch -bail "$db" ".load $TM_SO" "$@"; }
tm_vt() { tm_db "$VTDB" "$@"; }
export -f tm_sql tm_db tm_vt

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

# jobs: one per (case line, file), and with BENCH_BASELINE a twin right after
# each job that loads transmog: named NAME@base, run on the baseline's build
# (J_SO) with its own $VTDB (J_BUILD is the suffix of its file name)
J_NAME=() J_LABEL=() J_ANCHOR=() J_TAGS=() J_CMD=() J_RUNS=() J_STATUS=() J_PARSE=()
J_SO=() J_BUILD=()
add_job() {  # add_job NAME LABEL ANCHOR TAGS CMD RUNS PARSE SO BUILD; PREFIX of HAVE in $HAVE_OF
  local t status=ok
  for t in $4; do
    case $t in
      simdjson|duckdb|zcat|igzip) [[ -n ${HAVE[$t]:-} ]] || { status="skipped: no $t"; break; } ;;
      vtab|export) [[ -n ${HAVE[$HAVE_OF$t]:-} ]] || { status="skipped: no $t${HAVE_OF:+ in the baseline}"; break; } ;;
    esac
  done
  J_NAME+=("$1"); J_LABEL+=("$2"); J_ANCHOR+=("$3"); J_TAGS+=(" $4 ")
  J_CMD+=("$5"); J_RUNS+=("$6"); J_STATUS+=("$status"); J_PARSE+=("$7"); J_SO+=("$8"); J_BUILD+=("$9")
}

load_cases() {
  local line name files anchor tags cmd f t lineno=0 bad
  while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    IFS='|' read -r name files anchor tags cmd <<<"$line"
    name=$(trim "$name"); files=$(trim "$files"); anchor=$(trim "$anchor"); tags=$(trim "$tags"); cmd=$(trim "$cmd")
    [[ -n $name && -n $files && -n $cmd ]] || die "$CASES:$lineno: expected name | files | anchor | tags | command"
    for f in ${files//,/ }; do
      [[ -n ${F_NREC[$f]:-} ]] || die "$CASES:$lineno: unknown file '$f' (big, small, gz)"
      local runs=$RUNS parse=default
      for t in $tags; do
        case $t in
          slow) runs=$SLOW_RUNS ;;
          parse=*) parse=${t#parse=}
                   declare -F "parse_$parse" >/dev/null || die "$CASES:$lineno: no parser parse_$parse in run.sh" ;;
          simdjson|duckdb|zcat|igzip|vtab|export|vtdb) ;;
          *) die "$CASES:$lineno: unknown tag '$t'" ;;
        esac
      done
      HAVE_OF= add_job "$name" "$f" "${anchor:--}" "$tags" "$cmd" "$runs" "$parse" "$SO" ""
      [[ -n $BASELINE && $cmd =~ tm_(sql|db|vt)|TM_SO ]] &&
        HAVE_OF=base_ add_job "$name@base" "$f" "${anchor:--}" "$tags" "$cmd" "$runs" "$parse" "$BASE_SO" .base
    done
  done <"$CASES"
  # a twin's anchor is the anchor's twin when there is one
  local i j
  for i in "${!J_NAME[@]}"; do
    [[ -n ${J_BUILD[$i]} ]] || continue
    for j in "${!J_NAME[@]}"; do
      [[ ${J_NAME[$j]} == "${J_ANCHOR[$i]}@base" && ${J_LABEL[$j]} == "${J_LABEL[$i]}" ]] && J_ANCHOR[$i]=${J_NAME[$j]}
    done
  done
  # BENCH_ONLY: keep matching cases and the anchors they need
  if [[ -n $ONLY ]]; then
    local a
    declare -A want=()
    for i in "${!J_NAME[@]}"; do [[ ${J_NAME[$i]%@base} =~ $ONLY ]] && want[${J_NAME[$i]}/${J_LABEL[$i]}]=1; done
    for i in "${!J_NAME[@]}"; do
      a=${J_ANCHOR[$i]}
      [[ -n ${want[${J_NAME[$i]}/${J_LABEL[$i]}]:-} && $a != - ]] && want[$a/${J_LABEL[$i]}]=1
    done
    for i in "${!J_NAME[@]}"; do [[ -n ${want[${J_NAME[$i]}/${J_LABEL[$i]}]:-} ]] || J_STATUS[$i]=off; done
  fi
}

# Parsers: set P_RESULT (one line) and P_SUBS ("sub<TAB>seconds" lines, each
# becomes a row name/sub).  $1 = stdout file, $2 = stderr file.
parse_default() {
  P_RESULT=$(head -n1 "$1" | tr '|\t' '  ' | cut -c1-60); P_SUBS=
}
parse_simdjson() {
  P_RESULT=$(head -n1 "$1" | tr ' ' '\n' | grep -E '^(records|items|discounts)=' | tr '\n' ' ')
  P_RESULT=$(trim "$P_RESULT"); P_SUBS=
  [[ -n ${VERS[simdjson_kernel]:-} ]] ||
    VERS[simdjson_kernel]=$(tr ' ' '\n' <"$1" | grep -E '^(stage1|ondemand)=' | tr '\n' ' ')
}
parse_duckdb() {  # the RESULT {...} line of duckdb_flatten.mjs --json
  local r
  r=$(grep '^RESULT ' "$1" | sed 's/^RESULT //' | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(" ".join("%s=%s" % (t, v["rows"]) for t, v in r.get("tables", {}).items()))
for st in r.get("steps", []):
    if st["step"] == "detect":
        print("detect\t%s" % st["secs"])
if "flatten_total_secs" in r:
    print("flatten\t%s" % r["flatten_total_secs"])' 2>/dev/null)
  P_RESULT=$(head -n1 <<<"$r"); P_SUBS=$(tail -n +2 <<<"$r")
}
parse_sqlite_flatten() {  # ROWS <table>|<n> lines of sqlite_flatten.sh
  P_RESULT=$(sed -n 's/^ROWS \([^|]*\)|\(.*\)$/\1=\2/p' "$1" | tr '\n' ' '); P_RESULT=$(trim "$P_RESULT"); P_SUBS=
}

# results, keyed "name/label" (sub-rows "name/sub/label")
declare -A R_TIMES=() R_CPU=() R_RSS=() R_RESULT=() R_STATUS=() R_RUNS=()
R_ORDER=()   # keys in report order, with their anchor: "key anchor_key"

run_job() {  # run_job INDEX ROUND
  local i=$1 round=$2 name=${J_NAME[$1]} l=${J_LABEL[$1]}
  local key=$name/$l base=$WORK/out/$name.$l
  export FILE=${F_PATH[$l]} MAIN=${F_MAIN[$l]} LABEL=$l NREC=${F_NREC[$l]} VTDB=$WORK/vt_$l${J_BUILD[$i]}.db
  export TM_SO=${J_SO[$i]}
  local t0=$EPOCHREALTIME
  /usr/bin/time -f '%e %M %U %S' -o "$base.time" timeout "$TIMEOUT" bash -c "${J_CMD[$i]}" >"$base.out" 2>"$base.err"
  local rc=$? t1=$EPOCHREALTIME
  local us=$(( 10#${t1/./} - 10#${t0/./} )) secs
  secs=$(awk -v u="$us" 'BEGIN { printf "%.3f", u / 1e6 }')
  if [[ $rc != 0 ]]; then
    local why; why=$(grep -v '^Command exited' "$base.err" | tail -n1 | cut -c1-70)
    [[ $rc == 124 ]] && why="timeout after ${TIMEOUT}s"
    R_STATUS[$key]="FAILED (exit $rc): $why"; J_STATUS[$i]=failed
    printf '  %-22s %-6s run %d  FAILED (exit %d) %s\n' "$name" "$l" "$round" "$rc" "$why" >&2
    return
  fi
  local rss cpu
  read -r rss cpu < <(tail -n1 "$base.time" | awk '{ printf "%s %.2f\n", $2, $3 + $4 }')
  R_TIMES[$key]+="$secs "
  R_CPU[$key]+="$cpu "
  [[ $rss =~ ^[0-9]+$ ]] && (( rss > ${R_RSS[$key]:-0} )) && R_RSS[$key]=$rss
  "parse_${J_PARSE[$i]}" "$base.out" "$base.err"
  if [[ -z ${R_RESULT[$key]+x} ]]; then R_RESULT[$key]=$P_RESULT
  elif [[ ${R_RESULT[$key]} != "$P_RESULT" && ${R_RESULT[$key]} != *"(varies)" ]]; then R_RESULT[$key]+=" (varies)"; fi
  local sub s
  while IFS=$'\t' read -r sub s; do
    [[ -n $sub ]] || continue
    R_TIMES[$name/$sub/$l]+="$s "
  done <<<"$P_SUBS"
  printf '  %-22s %-6s run %d/%d  %8s s  (cpu %6s s)  %7.1f MB  %s\n' "$name" "$l" "$round" "${J_RUNS[$i]}" "$secs" \
    "$cpu" "$(awk -v k="${rss:-0}" 'BEGIN { print k / 1024 }')" "$P_RESULT" >&2
}

prepare_vtdb() {  # untimed: the VTDB of each file and build that a vtdb case uses
  local i l db done_=" "
  for i in "${!J_NAME[@]}"; do
    [[ ${J_STATUS[$i]} == ok && ${J_TAGS[$i]} == *" vtdb "* ]] || continue
    l=${J_LABEL[$i]}; db=vt_$l${J_BUILD[$i]}
    [[ $done_ == *" $db "* ]] && continue
    done_+="$db "
    note "preparing $WORK/$db.db (untimed CREATE VIRTUAL TABLE over ${F_PATH[$l]} with ${J_SO[$i]}.so)"
    if ! sqlite3 -batch -bail "$WORK/$db.db" ".load ${J_SO[$i]}" \
         "CREATE VIRTUAL TABLE orders USING transmog('${F_PATH[$l]}')" >"$WORK/$db.log" 2>&1; then
      note "  failed: $(tail -n1 "$WORK/$db.log")"
      local j
      for j in "${!J_NAME[@]}"; do
        [[ ${J_LABEL[$j]} == "$l" && ${J_BUILD[$j]} == "${J_BUILD[$i]}" && ${J_TAGS[$j]} == *" vtdb "* ]] &&
          J_STATUS[$j]="FAILED: could not create the vtab db"
      done
    fi
  done
}

# ------------------------------------------------------------------ report
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m }'; }
minmax() { tr ' ' '\n' | grep . | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.3f %.3f", lo, hi }'; }

HEADER=()
hdr() { HEADER+=("$1"$'\t'"$2"); printf '%-13s %s\n' "$1:" "$2"; }

print_header() {
  hdr date "$(date -u "+%Y-%m-%d %H:%M:%S UTC")"
  hdr machine "$(nproc) cpu, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  hdr load "$LOAD_START (1, 5, 15 min; other work on the machine skews every figure)"
  hdr transmog "${VERS[transmog]}"
  [[ -z $BASELINE ]] || hdr baseline "${VERS[baseline]}, rows NAME@base; built with $BUILD_CC $BUILD_CFLAGS"
  hdr sqlite3 "$(sqlite3 --version | cut -d' ' -f1-2)"
  hdr gcc "$(gcc --version 2>/dev/null | head -n1)"
  hdr simdjson "${VERS[simdjson]:-not available}"
  hdr duckdb "${VERS[duckdb]:-not available}"
  hdr zlib "${VERS[zlib]:-?}"
  local l
  for l in "${LABELS[@]}"; do
    hdr "file $l" "${F_PATH[$l]}  ${F_NREC[$l]} records, $(awk -v b="${F_DISK[$l]}" 'BEGIN { printf "%.1f MB", b / 1e6 }')$([[ $l == gz ]] && awk -v b="${F_BYTES[gz]}" 'BEGIN { printf " (%.1f MB inflated)", b / 1e6 }')"
  done
  hdr runs "$RUNS per case (median), $SLOW_RUNS for slow cases; timeout ${TIMEOUT}s"
  echo
}

fmt_row() {  # key anchor_key display_name label runs -> a stdout line and a TSV line
  local key=$1 akey=$2 name=$3 l=$4 runs=$5
  local times=${R_TIMES[$key]:-} med mm mbs xa rss cpu status=${R_STATUS[$key]:-ok}
  med=$(median <<<"$times"); mm=$(minmax <<<"$times"); cpu=$(median <<<"${R_CPU[$key]:-}")
  [[ -n $cpu ]] && cpu=$(awk -v c="$cpu" 'BEGIN { printf "%.2f", c }')
  if [[ -z $med ]]; then
    printf '%-24s %-6s %s\n' "$name" "$l" "$status"
    printf '%s\n' "$name"$'\t'"$l"$'\t'"${F_PATH[$l]}"$'\t'"${F_BYTES[$l]}"$'\t'0$'\t\t\t\t\t\t'"$([[ $akey == - ]] || echo "${akey%/*}")"$'\t\t\t'"$status"$'\t\t' >>"$TSV"
    return
  fi
  local n; n=$(wc -w <<<"$times")
  mbs=$(awk -v b="${F_BYTES[$l]}" -v s="$med" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }')
  xa=; local amed=
  if [[ $akey != - ]]; then
    amed=$(median <<<"${R_TIMES[$akey]:-}")
    [[ -n $amed ]] && xa=$(awk -v s="$med" -v a="$amed" 'BEGIN { printf "%.2f", (a > 0 ? s / a : 0) }')
  fi
  rss=${R_RSS[$key]:-}
  [[ -n $rss ]] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  local spread; spread=$(awk -v m="$med" -v lo="${mm% *}" -v hi="${mm#* }" 'BEGIN { printf "%.0f%%", (m > 0 ? 100 * (hi - lo) / m : 0) }')
  printf '%-24s %-6s %4s %9s %6s %7s %8s  %-14s %7s %8s  %s\n' "$name" "$l" "$n" "$med" "$spread" "${cpu:--}" "$mbs" \
    "$([[ $akey == - ]] && echo - || echo "${akey%/*}")" "${xa:--}" "${rss:--}" "${R_RESULT[$key]:-}"
  printf '%s\n' "$name"$'\t'"$l"$'\t'"${F_PATH[$l]}"$'\t'"${F_BYTES[$l]}"$'\t'"$n"$'\t'"$med"$'\t'"${cpu}"$'\t'"${mm% *}"$'\t'"${mm#* }"$'\t'"$mbs"$'\t'"$([[ $akey == - ]] || echo "${akey%/*}")"$'\t'"$xa"$'\t'"$rss"$'\t'"$status"$'\t'"${R_RESULT[$key]:-}"$'\t'"$(trim "$times")" >>"$TSV"
}

report() {
  TSV=$DATA/results-$STAMP.tsv
  {
    local h; for h in "${HEADER[@]}"; do printf '# %s\n' "$h"; done
    printf 'name\tfile\tpath\tbytes\truns\tmedian_s\tcpu_s\tmin_s\tmax_s\tmb_s\tanchor\tx_anchor\tpeak_rss_mb\tstatus\tresult\ttimes_s\n'
  } >"$TSV"
  echo
  printf '%-24s %-6s %4s %9s %6s %7s %8s  %-14s %7s %8s  %s\n' case file runs "median s" spread "cpu s" "MB/s" anchor "x anchor" "RSS MB" result
  local l i key akey sub prev
  for l in "${LABELS[@]}"; do
    prev=
    for i in "${!J_NAME[@]}"; do
      [[ ${J_LABEL[$i]} == "$l" && ${J_STATUS[$i]} != off ]] || continue
      if [[ -z $prev ]]; then echo "-- ${F_PATH[$l]##*/}"; prev=1; fi
      key=${J_NAME[$i]}/$l
      [[ ${J_STATUS[$i]} == skipped* ]] && R_STATUS[$key]=${J_STATUS[$i]}
      [[ ${J_STATUS[$i]} == FAILED:* ]] && R_STATUS[$key]=${J_STATUS[$i]}
      akey=${J_ANCHOR[$i]}; [[ $akey == - ]] || akey=$akey/$l
      fmt_row "$key" "$akey" "${J_NAME[$i]}" "$l" "${J_RUNS[$i]}"
      for sub in $(printf '%s\n' "${!R_TIMES[@]}" | grep "^${J_NAME[$i]}/[^/]*/$l\$" | sort); do
        R_RSS[$sub]=; R_CPU[$sub]=; R_RESULT[$sub]="(internal timer of the run above)"
        fmt_row "$sub" "$akey" "${sub%/*}" "$l" "${J_RUNS[$i]}"
      done
    done
  done
  summary
  compare
  echo
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg) (at start: ${LOAD_START})"
  echo "results: $TSV"
  ln -sf "${TSV##*/}" "$DATA/results-latest.tsv"
}

# derived figures: reported, never asserted
summary() {
  local lines=() i key ks kb rb rs
  for i in "${!J_NAME[@]}"; do
    [[ ${J_LABEL[$i]} == big ]] || continue
    kb=${J_NAME[$i]}/big; ks=${J_NAME[$i]}/small
    rb=${R_RSS[$kb]:-}; rs=${R_RSS[$ks]:-}
    [[ -n $rb && -n $rs && -n ${R_TIMES[$kb]:-} && -n ${R_TIMES[$ks]:-} ]] || continue
    lines+=("$(awk -v n="${J_NAME[$i]}" -v b="$rb" -v s="$rs" 'BEGIN { printf "  %-22s RSS %7.1f MB big, %7.1f MB small, big/small %.3f", n, b / 1024, s / 1024, b / s }')")
  done
  local g p z
  g=$(median <<<"${R_TIMES[each_main_count/gz]:-}"); p=$(median <<<"${R_TIMES[each_main_count/big]:-}"); z=$(median <<<"${R_TIMES[zcat/gz]:-}")
  if [[ -n $g && -n $p && -n $z ]]; then
    lines+=("$(awk -v g="$g" -v p="$p" -v z="$z" 'BEGIN { m = p > z ? p : z; printf "  each_main_count gz      %.3f s = %.2fx max(zcat %.3f s, plain scan %.3f s)", g, g / m, z, p }')")
  fi
  z=$(median <<<"${R_TIMES[igzip/gz]:-}")
  if [[ -n $g && -n $p && -n $z ]]; then
    lines+=("$(awk -v g="$g" -v p="$p" -v z="$z" 'BEGIN { m = p > z ? p : z; printf "  each_main_count gz      %.3f s = %.2fx max(igzip %.3f s, plain scan %.3f s) (with ISA-L)", g, g / m, z, p }')")
  fi
  p=$(median <<<"${R_TIMES[each_main_count/big]:-}"); z=$(median <<<"${R_TIMES[simdjson/big]:-}")
  if [[ -n $p && -n $z ]]; then
    lines+=("$(awk -v p="$p" -v z="$z" 'BEGIN { printf "  each_main_count big     speed %.2fx simdjson speed (simdjson time / its time)", z / p }')")
  fi
  ((${#lines[@]})) || return 0
  echo
  echo "derived (reported, not asserted):"
  printf '%s\n' "${lines[@]}"
}

# BENCH_BASELINE: every case that ran on both builds, new median over the
# baseline's (below 1.00 the new build is faster), both medians and peak RSS,
# and the same ratio of the cpu medians (steadier when the machine is busy)
compare() {
  [[ -n $BASELINE ]] || return 0
  echo
  echo "new build ${VERS[transmog]} against baseline ${VERS[baseline]},"
  echo "new/base below 1.00: the new build is faster (reported, not asserted):"
  printf '  %-22s %-6s %9s %9s %9s %9s %10s %10s  %s\n' case file "new s" "base s" "new/base" "cpu n/b" "new RSS" "base RSS" ""
  local l i a b ma mb ca cb ra rb note_
  for l in "${LABELS[@]}"; do
    for i in "${!J_NAME[@]}"; do
      [[ -n ${J_BUILD[$i]} && ${J_LABEL[$i]} == "$l" && ${J_STATUS[$((i - 1))]} != off ]] || continue
      a=${J_NAME[$((i - 1))]}/${J_LABEL[$i]}; b=${J_NAME[$i]}/${J_LABEL[$i]}
      ma=$(median <<<"${R_TIMES[$a]:-}"); mb=$(median <<<"${R_TIMES[$b]:-}")
      ca=$(median <<<"${R_CPU[$a]:-}"); cb=$(median <<<"${R_CPU[$b]:-}")
      ra=${R_RSS[$a]:-}; rb=${R_RSS[$b]:-}
      note_=
      [[ -n $ma ]] || note_="new: ${R_STATUS[$a]:-${J_STATUS[$((i - 1))]}} "
      [[ -n $mb ]] || note_+="baseline: ${R_STATUS[$b]:-${J_STATUS[$i]}}"
      [[ -n $ma && -n $mb && ${R_RESULT[$a]:-} != "${R_RESULT[$b]:-}" ]] && note_="results differ"
      awk -v n="${J_NAME[$((i - 1))]}" -v l="${J_LABEL[$i]}" -v a="$ma" -v b="$mb" -v ca="$ca" -v cb="$cb" \
          -v ra="$ra" -v rb="$rb" -v x="$note_" '
        function mb_(k) { return k == "" ? "-" : sprintf("%.1f MB", k / 1024) }
        function ratio(p, q) { return (p != "" && q > 0) ? sprintf("%.3f", p / q) : "-" }
        BEGIN { printf "  %-22s %-6s %9s %9s %9s %9s %10s %10s  %s\n", n, l, a == "" ? "-" : a, b == "" ? "-" : b,
                       ratio(a, b), ratio(ca, cb), mb_(ra), mb_(rb), x }'
    done
  done
}

# ------------------------------------------------------------------ main
export TM_SO=$SO SHARED PEERS WORK
note "peers and data (installs go to $PEERS and apt; data cached in $DATA)"
setup_simdjson
setup_duckdb
setup_zcat
setup_igzip
export SIMDJSON=${SIMDJSON:-}
[[ -z $BASELINE ]] || setup_baseline
probe_features
setup_files
load_cases

print_header >"$WORK/header.txt"   # not in a pipe: it fills HEADER for the TSV
cat "$WORK/header.txt"

# page cache: read every file once so no case pays for the disk
for l in "${LABELS[@]}"; do cat "${F_PATH[$l]}" >/dev/null; done
prepare_vtdb

# round robin: every case once per round, so slow drift of the machine hits
# all cases alike; slow cases stop after BENCH_SLOW_RUNS rounds.  A case and
# its baseline twin run back to back, the twin first in even rounds, so that
# neither build always runs second (after the other warmed the caches).
max_runs=$RUNS; ((SLOW_RUNS > max_runs)) && max_runs=$SLOW_RUNS
T_START=$SECONDS
for ((round = 1; round <= max_runs; round++)); do
  note "round $round of $max_runs"
  order=()
  for i in "${!J_NAME[@]}"; do
    if ((round % 2 == 0)) && [[ -n ${J_BUILD[$i]} ]]; then order=("${order[@]:0:${#order[@]}-1}" "$i" "$((i - 1))")
    else order+=("$i"); fi
  done
  for i in "${order[@]}"; do
    [[ ${J_STATUS[$i]} == ok && $round -le ${J_RUNS[$i]} ]] || continue
    run_job "$i" "$round"
  done
done
note "timed runs took $((SECONDS - T_START)) s"

report >"$WORK/report.txt"
cat "$WORK/report.txt"
cat "$WORK/header.txt" "$WORK/report.txt" >"$DATA/results-$STAMP.txt"
