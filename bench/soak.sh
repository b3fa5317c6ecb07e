#!/usr/bin/env bash
# make soak: transmog on a file of more than 2 GB next to one of 200 MB,
# scanned, joined and exported, with the peak RSS of each run. Memory must
# stay flat: the big file's peak should match the small one's (reported,
# not asserted). Files are made once with ../shared/bench/gen.py and kept
# in $SOAK_DATA (default /tmp/tmbench).
#   SOAK_RECORDS (default 3600000, about 2.1 GB), SOAK_SMALL (360000).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${SOAK_DATA:-/tmp/tmbench}
big_n=${SOAK_RECORDS:-3600000}
small_n=${SOAK_SMALL:-360000}
mkdir -p "$data"
make -s transmog.so
ext=$PWD/transmog
gen() {   # gen N FILE: make FILE once (under a temporary name until complete)
  [ -s "$2" ] && return
  echo "making $2 ($1 records)..." >&2
  python3 ../shared/bench/gen.py --records "$1" --out "$2.tmp" && mv "$2.tmp" "$2"
}
big=$data/soak_${big_n}.jsonl
small=$data/soak_${small_n}.jsonl
gen "$big_n" "$big"
gen "$small_n" "$small"
run() {   # run LABEL FILE SQL...: wall seconds and peak RSS of one sqlite3
  local label=$1 file=$2; shift 2
  local db; db=$(mktemp -u "$data/soak_XXXXXX.db")
  local out
  out=$( { /usr/bin/time -f 'TIME %e %M' sqlite3 "$db" ".load $ext" "$@" >/dev/null; } 2>&1 | tail -n 1)
  rm -f "$db"
  printf '%-10s %-14s %8s s %8.1f MB\n' "$label" "$(basename "$file")" \
    "$(echo "$out" | awk '{print $2}')" "$(echo "$out" | awk '{print $3 / 1024}')"
}
for file in "$small" "$big"; do
  size=$(stat -c %s "$file")
  echo "== $(basename "$file"): $((size / 1000000)) MB"
  run scan "$file" "SELECT count(*), sum(length(row)) FROM transmog_each('$file', NULL)"
  run create "$file" "CREATE VIRTUAL TABLE o USING transmog('$file')"
  run join "$file" "CREATE VIRTUAL TABLE o USING transmog('$file')" \
    "SELECT count(*), sum(i.qty) FROM o JOIN o_items i ON i._parent_id = o._id"
  run export "$file" "SELECT transmog_export('$file', 'o')"
done
