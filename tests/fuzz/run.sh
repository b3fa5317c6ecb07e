#!/usr/bin/env bash
# Run each libFuzzer target for $1 seconds: tests/fuzz/run.sh SECONDS TARGET...
# Corpora live in build/fuzz/<target>/corpus, seeded from ../shared/data the
# first time; crashes and hangs are written to build/fuzz/<target>/. Prints
# each target's exec count; exits non-zero if any target found something.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=$1; shift
data=../shared/data
status=0
seed() {   # seed a corpus with small files from ../shared/data
  local dir=$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return
  cp "$data"/jsontestsuite/*.json "$dir"/ 2>/dev/null
  for f in "$data"/realworld/*.json "$data"/realworld/*.ndjson "$data"/realworld/openalex/*.json; do
    head -c 4096 "$f" > "$dir/$(basename "$f").head"
  done
  head -n 20 "$data"/realworld/crates_io_index/top_crates_index.jsonl > "$dir/crates.head"
}
for t in "$@"; do
  dir=build/fuzz/$t
  seed "$dir/corpus"
  if [ "$t" = options ]; then
    printf 'separator=. arrays=child' > "$dir/corpus/o1"
    printf "root=\"data.items\" name='a''b', max_record=64M to=x format=csv" > "$dir/corpus/o2"
  fi
  log=$dir/last.log
  build/fuzz/fuzz_"$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$dir/" "$dir/corpus" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*')
  [ -z "$execs" ] && execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  echo "fuzz_$t: ${execs:-?} runs in ${seconds}s, exit $rc"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5
  fi
done
exit $status
