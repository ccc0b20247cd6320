#!/usr/bin/env bash
# Grounding check of every network: a short training run, `lca compute` (adaptive), then the error
# report (max per-iteration |error|, cumulative relative error, splits). The CIFAR networks train on
# synthetic-cifar (5,000 generated images) and their LCA is computed on a stated --subset of the
# training set so the check fits a CPU: about an hour on 2 cores with the wasm backend.
#   scripts/check-networks.sh [OUT_DIR] [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/check}
iterations=${2:-20}
lca() { node bin/lca.js "$@"; }
mkdir -p "$out"

check() { # name, train flags, compute flags
  local name=$1 train=$2 compute=$3 started=$SECONDS
  echo "== $name: lca train $train; lca compute $compute" >&2
  # shellcheck disable=SC2086
  lca train $train --iterations "$iterations" --out "$out/$name" --force --log-level warn
  # shellcheck disable=SC2086
  lca compute --run "$out/$name" $compute --log-level warn
  lca analyze --run "$out/$name" --report error --format json > "$out/$name-error.json"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const splits = r.tables.splits.map((s) => `${s.splits}:${s.iterations}`).join(" ");
    console.log([process.argv[2], r.iterations, r.max_abs_error.toExponential(2), r.cumulative_relative_error.toExponential(2),
      r.iterations_above_tolerance, splits, r.subset ?? "full", process.argv[3]].join("\t"));
  ' "$out/$name-error.json" "$name" "$((SECONDS - started))s"
}

echo -e "network\titerations\tmax_abs_error\tcumulative_relative_error\tabove_1e-3\tsplits(n:count)\tdata\twall"
check mnist-fc "--config configs/mnist-fc.yaml --dataset fashion-mnist-fixture" "--eval-batch-size 5000"
check mnist-lenet "--config configs/mnist-lenet.yaml --dataset fashion-mnist-fixture" "--eval-batch-size 1000 --subset 2000"
check cifar-resnet20 "--config configs/cifar-resnet.yaml --dataset synthetic-cifar --eval-batch-size 250" "--subset 500"
check cifar-vgg-half "--config configs/cifar-resnet.yaml --model cifar-vgg-half --lr 0.01 --dataset synthetic-cifar --eval-batch-size 250" "--subset 500"
check cifar-allcnn "--config configs/cifar-allcnn.yaml --dataset synthetic-cifar --eval-batch-size 250" "--subset 250"
