#!/usr/bin/env bash
# The acceptance measurements of issue 12, one section per command (pick with the first argument):
#   fc       a real Fashion-MNIST MNIST-FC run (full data, 3 epochs) with --val over every row: dry run and
#            compute, overfitting report + figure + HTML report, prune at 0.1/0.3/0.5 (~15 min on 2 loaded cores)
#   overfit  the same network on the bundled 10,000 training images for 30 epochs: the gap grows, no onset yet (~5 min)
#   freeze   the paper's frozen-last-layer ResNet-20 config on synthetic-cifar (LCA on a stated --subset)
#   dryrun   --dry-run's estimate, then the compute it estimates: MNIST-FC (1 epoch, full data) and LeNet
#            (10 iterations, rows 0:3 of the full data; ~20 min: one gradient takes 1-2 minutes)
#   store    --store layers (ResNet-20, synthetic-cifar) and units (MNIST-FC, fixture) against --store full: bytes, layers report
#   scripts/check-act.sh fc|overfit|freeze|dryrun|store [OUT_DIR]
# Timings are only comparable back to back: each dry run is followed at once by its compute, and the
# load average is printed before and after (the compute's last log line names it too).
set -euo pipefail
cd "$(dirname "$0")/.."
what=$1
out=${2:-runs/act}
lca() { nice -n 19 node bin/lca.js "$@"; }
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($1)" >&2; }
mkdir -p "$out"

# The dry run of `lca compute --run $1 <flags>`, then that compute; its last log line sets estimate against actual.
estimate_then_compute() {
  load "before the dry run of $*"
  lca compute "$@" --dry-run --format table
  lca compute "$@" 2>&1 | grep -E '"msg":"(computed|estimate)' | sed -E 's/.*"msg":"([^"]*)".*/\1/'
  load "after the compute"
}

case $what in
fc)
  [ -d "$out/fc" ] || lca train --config configs/mnist-fc.yaml --epochs 3 --out "$out/fc" --log-level warn
  estimate_then_compute --run "$out/fc" --val
  lca analyze --run "$out/fc" --report overfitting --format json > "$out/fc-overfitting.json"
  lca analyze --run "$out/fc" --report overfitting --format table --table summary
  lca analyze --run "$out/fc" --report overfitting --format table --table layers
  lca plot --run "$out/fc" --figure overfitting --out "$out/fc-overfitting.png"
  lca report --run "$out/fc" --out "$out/fc-report.html" --force
  lca prune --run "$out/fc" --keep 0.1,0.3,0.5 --out "$out/fc-mask.arrow" --force --format table
  ;;
overfit)
  [ -d "$out/fc-small" ] || lca train --config configs/mnist-fc.yaml --dataset fashion-mnist-fixture --epochs 30 --out "$out/fc-small" --log-level warn
  lca compute --run "$out/fc-small" --val --log-level warn
  lca analyze --run "$out/fc-small" --report overfitting --format table --table summary
  lca analyze --run "$out/fc-small" --report overfitting --format table --table layers
  lca plot --run "$out/fc-small" --figure overfitting --out "$out/fc-small-overfitting.png"
  lca prune --run "$out/fc-small" --keep 0.1,0.3,0.5 --out "$out/fc-small-mask.arrow" --force --format table
  ;;
freeze)
  [ -d "$out/resnet-frozen" ] || lca train --config configs/cifar-resnet-freeze-last.yaml --dataset synthetic-cifar --eval-batch-size 250 \
    --iterations "${ITERATIONS:-10}" --out "$out/resnet-frozen" --log-level warn
  lca compute --run "$out/resnet-frozen" --method simpson --subset 500 --log-level warn
  lca analyze --run "$out/resnet-frozen" --report freeze --format table --table summary
  lca analyze --run "$out/resnet-frozen" --report freeze --format table
  lca plot --run "$out/resnet-frozen" --figure layers --out "$out/resnet-frozen-layers.svg"
  ;;
dryrun)
  [ -d "$out/fc-1epoch" ] || lca train --config configs/mnist-fc.yaml --out "$out/fc-1epoch" --log-level warn
  rm -rf "$out/fc-1epoch/lca/adaptive"
  estimate_then_compute --run "$out/fc-1epoch"
  [ -d "$out/lenet" ] || lca train --config configs/mnist-lenet.yaml --iterations 10 --out "$out/lenet" --log-level warn
  rm -rf "$out/lenet/lca/adaptive"
  estimate_then_compute --run "$out/lenet" --iterations 0:3
  ;;
store)
  # --store layers (ResNet-20) and --store units (MNIST-FC on the bundled fixture) against --store full on copies of one run.
  [ -d "$out/resnet" ] || lca train --config configs/cifar-resnet.yaml --dataset synthetic-cifar --eval-batch-size 250 --iterations "${ITERATIONS:-6}" --out "$out/resnet" --log-level warn
  [ -d "$out/fc-fixture" ] || lca train --config configs/mnist-fc.yaml --dataset fashion-mnist-fixture --iterations "${ITERATIONS:-6}" --out "$out/fc-fixture" --log-level warn
  for pair in resnet:layers fc-fixture:units; do
    run=$out/${pair%%:*} store=${pair##*:}
    rm -rf "$run-$store" "$run/lca/simpson" && cp -r "$run" "$run-$store"
    lca compute --run "$run" --method simpson --subset 500 --log-level warn
    lca compute --run "$run-$store" --method simpson --subset 500 --store "$store" --log-level warn
    du -sb "$run/lca/simpson" "$run-$store/lca/simpson"
    lca analyze --run "$run" --report layers --format json > "$run-layers-full.json"
    lca analyze --run "$run-$store" --report layers --format json > "$run-layers-$store.json"
    node -e '
      const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
      for (const table of ["layers", "variables"]) {
        const worst = a.tables[table].reduce((m, l, k) => Math.max(m, Math.abs(l.lca - b.tables[table][k].lca) / Math.abs(l.lca)), 0);
        console.log(`${table}: ${a.tables[table].length}, max relative difference ${worst.toExponential(2)}`);
      }
    ' "$run-layers-full.json" "$run-layers-$store.json"
  done
  ;;
*) echo "usage: scripts/check-act.sh fc|overfit|freeze|dryrun|store [OUT_DIR]" >&2; exit 2 ;;
esac
