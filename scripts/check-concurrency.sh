#!/usr/bin/env bash
# The concurrency scenarios of the reliability review (docs/formats.md, "Fingerprints, leases and part
# validation"), rerun on a 40-iteration MNIST-FC fixture run: each must end refused (a one-line error,
# exit 1) or correct (parts equal to a lone compute's), never silently mixed. One TSV line per scenario.
# About 10 minutes on 2 cores.
#   scripts/check-concurrency.sh [SCRATCH_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
T=${1:-$(mktemp -d)}
mkdir -p "$T"
lca() { node bin/lca.js "$@"; }
C=(--part-size 5 --subset 5000 --backend wasm --log-level warn)
sums() { (cd "$1/lca/adaptive" && sha256sum part-*.arrow) 2>/dev/null; }
first_error() { grep -v '^{' "$1" | head -1; }
row() { echo -e "$1\t$2\t$3"; }

lca train --config configs/mnist-fc.yaml --dataset fashion-mnist-fixture --iterations 40 --checkpoint-every 5 --out "$T/base" --force --log-level warn
cp -r "$T/base" "$T/ref" && lca compute --run "$T/ref" "${C[@]}"
ref=$(sums "$T/ref")
fresh() { rm -rf "$T/$1" && cp -r "$T/base" "$T/$1"; }
verdict() { # run, exit codes…: refused (an exit 1) or correct, if `lca status` then reads every part as one matrix
  local where=$1; shift
  lca status --run "$where" > /dev/null 2> "$where.status" || { echo "MIXED: $(first_error "$where.status")"; return; }
  if [[ " $* " == *" 1 "* ]]; then echo "refused"; else echo "correct"; fi
}
same() { [[ "$(sums "$1")" == "$ref" ]] && echo "parts identical to a lone compute" || echo "PARTS DIFFER from a lone compute"; }

echo -e "scenario\texits\tverdict / first error line"
# C1: two identical computes at once.
fresh c1; lca compute --run "$T/c1" "${C[@]}" 2> "$T/c1.a" & a=$!; lca compute --run "$T/c1" "${C[@]}" 2> "$T/c1.b"; eb=$?; wait $a; ea=$?
lca compute --run "$T/c1" "${C[@]}" 2> /dev/null
row C1 "$ea,$eb" "$(verdict "$T/c1" $ea $eb): $(first_error "$T/c1.a")$(first_error "$T/c1.b"); after a rerun: $(same "$T/c1")"
# C2: the same shard twice.
fresh c2; lca compute --run "$T/c2" "${C[@]}" --shard 1/2 2> "$T/c2.a" & a=$!; lca compute --run "$T/c2" "${C[@]}" --shard 1/2 2> "$T/c2.b"; eb=$?; wait $a; ea=$?
lca compute --run "$T/c2" "${C[@]}" 2> /dev/null
row C2 "$ea,$eb" "$(verdict "$T/c2" $ea $eb): $(first_error "$T/c2.a")$(first_error "$T/c2.b"); after a rerun: $(same "$T/c2")"
# C2b: the two shards at once (must both succeed, equal to a lone compute).
fresh c2b; lca compute --run "$T/c2b" "${C[@]}" --shard 0/2 2> "$T/c2b.a" & a=$!; lca compute --run "$T/c2b" "${C[@]}" --shard 1/2 2> "$T/c2b.b"; eb=$?; wait $a; ea=$?
row C2b "$ea,$eb" "$(verdict "$T/c2b" $ea $eb), $(same "$T/c2b")"
# C4: a subset compute of 0:20 and a full-data compute of 20:40 at once.
fresh c4; lca compute --run "$T/c4" "${C[@]}" --iterations 0:20 2> "$T/c4.a" & a=$!
lca compute --run "$T/c4" --part-size 5 --backend wasm --log-level warn --iterations 20:40 2> "$T/c4.b"; eb=$?; wait $a; ea=$?
lca analyze --run "$T/c4" --report layers --format tsv > /dev/null 2> "$T/c4.analyze"; ez=$?
row C4 "$ea,$eb (analyze $ez)" "$(verdict "$T/c4" $ea $eb): $(first_error "$T/c4.a")$(first_error "$T/c4.b")"
# C4b: a subset compute and a full-data compute of all rows at once.
fresh c4b; lca compute --run "$T/c4b" "${C[@]}" 2> "$T/c4b.a" & a=$!
lca compute --run "$T/c4b" --part-size 5 --backend wasm --log-level warn 2> "$T/c4b.b"; eb=$?; wait $a; ea=$?
row C4b "$ea,$eb" "$(verdict "$T/c4b" $ea $eb): $(first_error "$T/c4b.a")$(first_error "$T/c4b.b")"
# C3: analyze and status while a compute runs.
fresh c3; lca compute --run "$T/c3" "${C[@]}" 2> /dev/null & a=$!; sleep 8
lca status --run "$T/c3" > /dev/null 2> "$T/c3.s"; es=$?; lca analyze --run "$T/c3" --report layers > /dev/null 2> "$T/c3.a"; ez=$?; wait $a; ea=$?
row C3 "$ea (status $es, analyze $ez)" "$(verdict "$T/c3" $ea $es $ez), $(same "$T/c3")"
# C8: train --force over the run while compute runs on it (part-size 1).
fresh c8; lca compute --run "$T/c8" --part-size 1 --subset 5000 --backend wasm --log-level warn 2> "$T/c8.a" & a=$!; sleep 5
lca train --config configs/mnist-fc.yaml --dataset fashion-mnist-fixture --iterations 40 --seed 1 --out "$T/c8" --force --log-level warn; et=$?; wait $a; ea=$?
lca compute --run "$T/c8" --part-size 1 --subset 5000 --backend wasm --log-level warn 2> "$T/c8.b"; eb=$?
row C8 "compute $ea, train $et, rerun $eb" "$(first_error "$T/c8.a") | rerun: $(first_error "$T/c8.b")"
# C9: kill -9 of the parent of compute --workers 2.
fresh c9; setsid node bin/lca.js compute --run "$T/c9" "${C[@]}" --workers 2 2> /dev/null & p=$!; sleep 8
kids=$(ps -o pid= --ppid $p | tr '\n' ' '); kill -9 $p; sleep 5
left=$(for k in $kids; do kill -0 "$k" 2>/dev/null && echo "$k"; done | wc -l)
for k in $kids; do kill -9 "$k" 2>/dev/null; done
row C9 "workers: $kids" "$left of them still running 5 s after the parent's kill -9"
echo "scratch: $T" >&2
