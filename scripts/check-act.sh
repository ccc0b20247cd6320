#!/usr/bin/env bash
# The acceptance measurements of issue 12, one section per command (pick with the first argument):
#   fc      a real Fashion-MNIST MNIST-FC run with --val: overfitting report + figure, prune at 0.1/0.3/0.5
#   freeze  the paper's frozen-last-layer ResNet-20 config on synthetic-cifar (LCA on a stated --subset)
#   dryrun  --dry-run's estimate against the measured compute, MNIST-FC and LeNet on the bundled fixture
#   store   --store layers against --store full on a short ResNet-20 synthetic-cifar run: bytes, layers report
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
  [ -d "$out/resnet" ] || lca train --config configs/cifar-resnet.yaml --dataset synthetic-cifar --eval-batch-size 250 --iterations "${ITERATIONS:-6}" --out "$out/resnet" --log-level warn
  rm -rf "$out/resnet-layers" && cp -r "$out/resnet" "$out/resnet-layers"
  lca compute --run "$out/resnet" --method simpson --subset 500 --log-level warn
  lca compute --run "$out/resnet-layers" --method simpson --subset 500 --store layers --log-level warn
  du -sb "$out/resnet/lca/simpson" "$out/resnet-layers/lca/simpson"
  lca analyze --run "$out/resnet" --report layers --format json > "$out/resnet-layers-full.json"
  lca analyze --run "$out/resnet-layers" --report layers --format json > "$out/resnet-layers-layers.json"
  node -e '
    const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
    const worst = a.tables.layers.reduce((m, l, k) => Math.max(m, Math.abs(l.lca - b.tables.layers[k].lca) / Math.abs(l.lca)), 0);
    console.log(`layers: ${a.tables.layers.length}, max relative difference ${worst.toExponential(2)}`);
  ' "$out/resnet-layers-full.json" "$out/resnet-layers-layers.json"
  ;;
*) echo "usage: scripts/check-act.sh fc|freeze|dryrun|store [OUT_DIR]" >&2; exit 2 ;;
esac
