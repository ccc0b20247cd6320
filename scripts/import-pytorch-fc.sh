#!/usr/bin/env bash
# Issue 11's acceptance run: MNIST-FC trained in PyTorch for 100 steps on Fashion-MNIST
# (scripts/pytorch-fc-train.py), imported with every step and with every 10th, computed and analysed.
# Prints the grounding errors, % helped, seconds per row, and the dense and sparse runs' layer totals.
#   bash scripts/import-pytorch-fc.sh [WORK_DIR] [STEPS]
# Needs Debian's python3-torch (scripts/install-peer.sh) and dataset-fashion-mnist; takes minutes.
set -euo pipefail
work=${1:-$(mktemp -d /tmp/lca-import-fc-XXXX)}
steps=${2:-100}
lca="node $(dirname "$0")/../bin/lca.js"
mkdir -p "$work"
/usr/bin/python3 "$(dirname "$0")/pytorch-fc-train.py" "$work/torch" "$steps" >&2
mkdir -p "$work/torch/sparse"
for f in "$work"/torch/ckpt/step-*.safetensors; do
  n=$((10#$(basename "$f" .safetensors | sed 's/step-//')))
  if (( n % 10 == 0 )); then ln -sf "$f" "$work/torch/sparse/"; fi
done
for kind in dense sparse; do
  dir=$([[ $kind == dense ]] && echo ckpt || echo sparse)
  $lca import --model "$work/torch/model.onnx" --checkpoints "$work/torch/$dir/step-*.safetensors" --data "$work/torch/train.npz" \
    --out "$work/$kind" --force --log-level warn
  start=$(date +%s.%N)
  $lca compute --run "$work/$kind" --log-level warn
  end=$(date +%s.%N)
  rows=$(node -e "console.log(require('$work/$kind/manifest.json').training.iterations)")
  echo "== $kind: $rows rows, $(echo "($end - $start) / $rows" | bc -l | xargs printf '%.3f') s per row (wall, compute incl. start-up)"
  $lca analyze --run "$work/$kind" --report error --format json | node -e "
    const r = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    console.log('   rows:', r.rows ?? '1 step per row', '| max |error|', r.max_abs_error.toExponential(2), '| mean |error|', r.mean_abs_error.toExponential(2),
      '| cumulative relative error', (100 * r.cumulative_relative_error).toFixed(3) + '%', '| total ΔL', r.total_delta_loss.toFixed(4), '| splits', JSON.stringify(r.tables.splits.map((s) => [s.splits, s.iterations])))"
  $lca analyze --run "$work/$kind" --report helped --format json | node -e "
    const r = JSON.parse(require('fs').readFileSync(0, 'utf8')); console.log('   % helped (Table 1 statistic):', r.percent_helped.toFixed(2))"
  $lca analyze --run "$work/$kind" --report layers --table layers --format tsv > "$work/$kind-layers.tsv"
done
echo "== layer totals (LCA, nats): dense vs sparse"
join -t $'\t' <(tail -n +2 "$work/dense-layers.tsv" | cut -f1,2 | sort) <(tail -n +2 "$work/sparse-layers.tsv" | cut -f1,2 | sort) |
  awk -F'\t' 'BEGIN { printf "%-8s %12s %12s %10s\n", "layer", "dense", "sparse", "ratio" } { printf "%-8s %12.5f %12.5f %10.3f\n", $1, $2, $3, $3 / $2 }'
echo "work dir: $work" >&2
