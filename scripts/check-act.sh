#!/usr/bin/env bash
# The acceptance measurements of issue 12, one section per command (pick with the first argument):
#   fc      a real Fashion-MNIST MNIST-FC run with --val: overfitting report + figure, prune at 0.1/0.3/0.5
#   freeze  the paper's frozen-last-layer ResNet-20 config on synthetic-cifar (LCA on a stated --subset)
#   dryrun  --dry-run's estimate against the measured compute, MNIST-FC and LeNet on the bundled fixture
#   store   --store layers (ResNet-20, synthetic-cifar) and units (MNIST-FC, fixture) against --store full: bytes, layers report
#   scripts/check-act.sh fc|freeze|dryrun|store [OUT_DIR]     (hours on 2 loaded cores for fc; minutes otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
what=$1
out=${2:-runs/act}
lca() { node bin/lca.js "$@"; }
mkdir -p "$out"

case $what in
fc)
  [ -d "$out/fc" ] || lca train --config configs/mnist-fc.yaml --epochs "${EPOCHS:-3}" --out "$out/fc" --log-level warn
  lca compute --run "$out/fc" --val ${ITERATIONS:+--iterations "$ITERATIONS"}
  lca analyze --run "$out/fc" --report overfitting ${ITERATIONS:+--iterations "$ITERATIONS"} --format json > "$out/fc-overfitting.json"
  lca analyze --run "$out/fc" --report overfitting ${ITERATIONS:+--iterations "$ITERATIONS"} --format table --table layers
  lca plot --run "$out/fc" --figure overfitting ${ITERATIONS:+--iterations "$ITERATIONS"} --out "$out/fc-overfitting.png"
  lca prune --run "$out/fc" --keep 0.1,0.3,0.5 ${ITERATIONS:+--iterations "$ITERATIONS"} --out "$out/fc-mask.arrow" --force --format table
  ;;
freeze)
  [ -d "$out/resnet-frozen" ] || lca train --config configs/cifar-resnet-freeze-last.yaml --dataset synthetic-cifar --eval-batch-size 250 \
    --iterations "${ITERATIONS:-10}" --out "$out/resnet-frozen" --log-level warn
  lca compute --run "$out/resnet-frozen" --method simpson --subset 500 --log-level warn
  lca analyze --run "$out/resnet-frozen" --report freeze --format table
  ;;
dryrun)
  for net in mnist-fc:5000 mnist-lenet:1000; do
    model=${net%%:*} batch=${net##*:}
    [ -d "$out/$model-fixture" ] || lca train --config "configs/$model.yaml" --dataset fashion-mnist-fixture --iterations 8 --eval-batch-size "$batch" --out "$out/$model-fixture" --log-level warn
    rm -rf "$out/$model-fixture/lca/simpson"
    echo "== $model: dry run, then the compute it estimates" >&2
    lca compute --run "$out/$model-fixture" --method simpson --dry-run --format tsv
    lca compute --run "$out/$model-fixture" --method simpson 2>&1 | tail -1
  done
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
*) echo "usage: scripts/check-act.sh fc|freeze|dryrun|store [OUT_DIR]" >&2; exit 2 ;;
esac
