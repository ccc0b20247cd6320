#!/usr/bin/env bash
# Malformed-input campaign (issue 10): runs `lca` on 130+ bad flags, configs, manifests, weights, part
# files, data files and output paths, and checks each one is a clean error — exit 1 or 2, exactly one
# `lca:` line on stderr (JSON log lines aside), nothing on stdout, and the watched folders (a computed run,
# a folder of user files) byte for byte unchanged — or, where marked "accept", a documented correct
# acceptance (exit 0, nothing lost). Prints one row per case and a summary table; exits 1 if any case is
# not clean. Usage: scripts/malformed-campaign.sh [scratch-dir]   (build first: npx tsc -p .)
source "$(dirname "$0")/campaign-common.sh" "${1:-}"
FIX=(--dataset fashion-mnist-fixture --backend "$BACKEND")

# The watched state: a small computed run and a folder of user files.
GOOD="$T/good"
lca train "${FIX[@]}" --iterations 10 --batch-size 250 --checkpoint-every 5 --out "$GOOD" 2>/dev/null || { echo "setup: train failed" >&2; exit 1; }
lca compute --run "$GOOD" --subset 1000 --part-size 5 --backend "$BACKEND" 2>/dev/null || { echo "setup: compute failed" >&2; exit 1; }
USER_DIR="$T/user"
mkdir -p "$USER_DIR/sub" && echo precious > "$USER_DIR/thesis.txt" && echo notes > "$USER_DIR/sub/notes.txt"
snapshot() { find "$GOOD" "$USER_DIR" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum; }

RESULTS="$T/results.tsv"
: > "$RESULTS"
# run_case ID GROUP error|accept DESCRIPTION -- COMMAND…   (CASE_CWD: where to run it)
run_case() {
  local id=$1 group=$2 expect=$3 desc=$4
  shift 5
  local before after code lines first verdict
  before=$(snapshot)
  (cd "${CASE_CWD:-$ROOT}" && "$@") > "$T/stdout" 2> "$T/stderr" < /dev/null
  code=$?
  after=$(snapshot)
  lines=$(grep -v '^{' "$T/stderr" | grep -c .)
  first=$(grep -v '^{' "$T/stderr" | head -1 | cut -c1-150)
  if [ "$before" != "$after" ]; then verdict="NOT CLEAN: watched files changed"
  elif [ "$expect" = accept ]; then
    if [ "$code" = 0 ]; then verdict=accepted; else verdict="NOT CLEAN: expected acceptance, exit $code"; fi
  elif [ "$code" != 1 ] && [ "$code" != 2 ]; then verdict="NOT CLEAN: exit $code"
  elif [ "$lines" != 1 ]; then verdict="NOT CLEAN: $lines stderr lines"
  elif [[ "$first" != lca:* ]]; then verdict="NOT CLEAN: not an lca: line"
  elif [ -s "$T/stdout" ]; then verdict="NOT CLEAN: stdout not empty"
  else verdict=clean; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$group" "$code" "$verdict" "$desc" "$first" >> "$RESULTS"
  printf '%-6s %-4s exit %-3s %-10s %s | %s\n' "$id" "$group" "$code" "${verdict%%:*}" "$desc" "$first" >&2
}
O="$T/o"; mkdir -p "$O"
TR=(train "${FIX[@]}" --iterations 2 --batch-size 100)

# --- train flags -------------------------------------------------------------------------------
run_case T1 flag error "train --iterations abc" -- lca "${TR[@]}" --iterations abc --out "$O/t"
run_case T2 flag error "train --iterations 5:2" -- lca "${TR[@]}" --iterations 5:2 --out "$O/t"
run_case T3 flag error "train --iterations 0" -- lca "${TR[@]}" --iterations 0 --out "$O/t"
run_case T4 flag error "train --iterations 1.5" -- lca "${TR[@]}" --iterations 1.5 --out "$O/t"
run_case T5 flag error "train --lr abc" -- lca "${TR[@]}" --lr abc --out "$O/t"
run_case T6 flag error "train --lr -1" -- lca "${TR[@]}" --lr -1 --out "$O/t"
run_case T7 flag error "train --lr 0" -- lca "${TR[@]}" --lr 0 --out "$O/t"
run_case T8 flag error "train --lr Infinity" -- lca "${TR[@]}" --lr Infinity --out "$O/t"
run_case T9 flag error "train --momentum 2" -- lca "${TR[@]}" --momentum 2 --out "$O/t"
run_case T10 flag error "train --momentum -0.1" -- lca "${TR[@]}" --momentum -0.1 --out "$O/t"
run_case T11 flag error "train --batch-size 0" -- lca "${TR[@]}" --batch-size 0 --out "$O/t"
run_case T12 flag error "train --batch-size 20000 (larger than the data)" -- lca "${TR[@]}" --batch-size 20000 --out "$O/t"
run_case T13 flag error "train --checkpoint-every 0" -- lca "${TR[@]}" --checkpoint-every 0 --out "$O/t"
run_case T14 flag error "train --checkpoint-every -3" -- lca "${TR[@]}" --checkpoint-every -3 --out "$O/t"
run_case T15 flag error "train --model nope" -- lca "${TR[@]}" --model nope --out "$O/t"
run_case T16 flag error "train --dataset nope" -- lca train --dataset nope --out "$O/t"
run_case T17 flag error "train --optimizer adagrad" -- lca "${TR[@]}" --optimizer adagrad --out "$O/t"
run_case T18 flag error "train --seed 1.5" -- lca "${TR[@]}" --seed 1.5 --out "$O/t"
run_case T19 flag error "train --seed -1" -- lca "${TR[@]}" --seed -1 --out "$O/t"
run_case T20 flag error "train --eval-batch-size 0" -- lca "${TR[@]}" --eval-batch-size 0 --out "$O/t"
run_case T21 flag error "train --epochs 0" -- lca "${TR[@]}" --epochs 0 --out "$O/t"
run_case T22 flag error "train without --out" -- lca "${TR[@]}"
run_case T23 flag error "train --config missing.yaml" -- lca "${TR[@]}" --config "$T/nope.yaml" --out "$O/t"
run_case T24 flag error "train --init-from a missing dir" -- lca "${TR[@]}" --init-from "$T/nonexistent" --out "$O/t"
run_case T25 flag error "train --init-from a run of another model" -- lca "${TR[@]}" --model mnist-lenet --init-from "$GOOD" --out "$O/t"
run_case T26 flag error "train --resume with nothing to resume" -- lca "${TR[@]}" --resume --out "$O/none"
run_case T27 flag error "train --backend bogus" -- lca "${TR[@]}" --backend bogus --out "$O/t"
run_case T28 flag error "train --bogus-flag" -- lca "${TR[@]}" --bogus-flag --out "$O/t"
run_case T29 flag error "train --threads 0" -- lca "${TR[@]}" --threads 0 --out "$O/t"
run_case T30 flag error "unknown command" -- lca nope
run_case T31 flag error "train --resume on a finished run" -- lca train --resume --out "$GOOD"
run_case T32 flag error "train --lr 1e6: stops at the first non-finite loss, one line, shorter run kept" -- lca train "${FIX[@]}" --iterations 20 --batch-size 100 --lr 1e6 --out "$O/div"

# --- --out and staging folders ----------------------------------------------------------------------
echo keep > "$O/afile"
mkdir -p "$O/home/.ssh" && echo key > "$O/home/.ssh/id_x"
run_case O1 out error "--out an existing non-run folder" -- lca "${TR[@]}" --out "$USER_DIR"
run_case O2 out error "--out an existing non-run folder --force" -- lca "${TR[@]}" --out "$USER_DIR" --force
run_case O3 out error "--out a plain file" -- lca "${TR[@]}" --out "$O/afile"
run_case O4 out error "--out a plain file --force" -- lca "${TR[@]}" --out "$O/afile" --force
run_case O5 out error "--out / (no --force)" -- lca "${TR[@]}" --out /
run_case O6 out error "--out / --force" -- lca "${TR[@]}" --out / --force
run_case O7 out error "--out a home folder --force" -- env HOME="$O/home" node "$BIN" "${TR[@]}" --out "$O/home" --force
CASE_CWD="$USER_DIR" run_case O8 out error "--out . --force in a folder of user files" -- lca "${TR[@]}" --out . --force
CASE_CWD="$GOOD" run_case O9 out error "--out . --force inside a run directory" -- lca "${TR[@]}" --out . --force
ln -s "$GOOD" "$O/link"
run_case O10 out error "--out a symlink to a run --force" -- lca "${TR[@]}" --out "$O/link" --force
run_case O11 out error "--out an existing run without --force" -- lca "${TR[@]}" --out "$GOOD"
mkdir -p "$O/foreign.partial" && echo x > "$O/foreign.partial/thesis.txt"
run_case O12 out error "staging folder holding a user file, --force" -- lca "${TR[@]}" --out "$O/foreign" --force
run_case O13 out error "staging folder holding a user file, --resume" -- lca "${TR[@]}" --out "$O/foreign" --resume
mkdir -p "$O/linked.partial" && echo '{}' > "$O/linked.partial/checkpoint.bin" && ln -s "$USER_DIR/thesis.txt" "$O/linked.partial/iterates.f32"
run_case O14 out error "staging folder with iterates.f32 a symlink, --resume" -- lca "${TR[@]}" --out "$O/linked" --resume
mkdir -p "$O/leased.partial" && printf '{"host":"node-b","pid":1,"heartbeat":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$O/leased.partial/owner"
run_case O15 out error "staging leased by another host, --resume" -- lca "${TR[@]}" --out "$O/leased" --resume
run_case O16 out error "staging leased by another host, --force" -- lca "${TR[@]}" --out "$O/leased" --force
mkdir -p "$O/early.partial"
run_case O17 out error "--resume --out alone, killed before its config was recorded" -- lca train --resume --out "$O/early"
run_case O18 out accept "--resume with the original flags after O17 (its advice)" -- lca "${TR[@]}" --resume --out "$O/early"
mkdir -p "$O/cfg.partial" && lca "${TR[@]}" --out "$O/cfgsrc" 2>/dev/null; node -e "const m=require('$O/cfgsrc/manifest.json'); require('fs').writeFileSync('$O/cfg.partial/config.json', JSON.stringify(m.config))"
run_case O19 out error "--resume with a different --lr than the staged config" -- lca "${TR[@]}" --resume --lr 0.5 --out "$O/cfg"
run_case O20 out error "fresh train onto a killed staging without --resume/--force" -- lca "${TR[@]}" --out "$O/cfg"

# --- YAML configs -----------------------------------------------------------------------------------
Y="$T/yaml"; mkdir -p "$Y"
yaml_case() { # id expect description yaml-text (flags fill in a short run, but never a key the file itself tests)
  printf '%s\n' "$4" > "$Y/$1.yaml"
  local short=(--dataset fashion-mnist-fixture)
  grep -q 'iterations:' <<< "$4" || short+=(--iterations 2)
  grep -q 'batch_size:' <<< "$4" || short+=(--batch-size 100)
  grep -q 'backend:' <<< "$4" || short+=(--backend "$BACKEND")
  run_case "$1" yaml "$2" "$3" -- lca train --config "$Y/$1.yaml" "${short[@]}" --out "$O/$1"
}
yaml_case Y1 error "unknown key batchsize" 'batchsize: 100'
yaml_case Y2 error "batch_size: \"abc\"" 'batch_size: "abc"'
yaml_case Y3 error "optimizer.lr negative" $'optimizer:\n  lr: -0.01'
yaml_case Y4 error "batch_size: 0" 'batch_size: 0'
yaml_case Y5 error "iterations: -1" 'iterations: -1'
yaml_case Y6 error "unknown model" 'model: mnist-fcx'
yaml_case Y7 error "unknown optimizer" $'optimizer:\n  name: adagrad'
yaml_case Y8 error "typo optimizer.momentun" $'optimizer:\n  momentun: 0.9'
yaml_case Y9 error "syntax error (unclosed [)" $'optimizer: [unclosed\nseed: 1'
yaml_case Y10 accept "empty file (all defaults, flags give the rest)" ''
yaml_case Y11 error "top level is a list" $'- a\n- b'
yaml_case Y12 error "iterations: 2.5" 'iterations: 2.5'
yaml_case Y13 error "lr: .nan" $'optimizer:\n  lr: .nan'
yaml_case Y14 error "seed: -3" 'seed: -3'
yaml_case Y15 error "duplicate key" $'seed: 1\nseed: 2'
yaml_case Y16 error "momentum: 1.5" $'optimizer:\n  momentum: 1.5'
yaml_case Y17 error "groups glob matching nothing" $'groups:\n  - variables: ["nonexistent/*"]\n    lr: 0.1'
yaml_case Y18 error "groups[0] without lr" $'groups:\n  - variables: ["fc_1/*"]'
yaml_case Y19 error "model cifar-resnet20 on 28x28 data" 'model: cifar-resnet20'
yaml_case Y20 error "eval_batch_size: 0" 'eval_batch_size: 0'
yaml_case Y21 error "backend: gpu (not a backend name)" 'backend: gpu'
yaml_case Y22 error "freeze.from_iteration: -1" $'freeze:\n  from_iteration: -1'
yaml_case Y23 error "schedule.epochs not increasing" $'optimizer:\n  schedule:\n    epochs: [3, 2]'
yaml_case Y24 error "schedule.factor: 2" $'optimizer:\n  schedule:\n    factor: 2'
yaml_case Y25 error "groups is not a list" 'groups: fc_1'
yaml_case Y26 error "optimizer is a string" 'optimizer: sgd'
yaml_case Y27 error "init_from: 5" 'init_from: 5'
yaml_case Y28 error "data_dir: empty string" 'data_dir: ""'
yaml_case Y29 error "a tab-indented mapping" $'optimizer:\n\tlr: 0.1'
yaml_case Y30 error "batch_size: 250.7" 'batch_size: 250.7'

# --- data files ---------------------------------------------------------------------------------------
D="$T/data"
python3 - "$D" <<'PY'
import gzip, os, struct, sys
d = sys.argv[1]
def idx(path, dims, payload, magic=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    code = magic if magic is not None else (0x0803 if len(dims) == 3 else 0x0801)
    with open(path, 'wb') as f:
        f.write(struct.pack('>I', code) + b''.join(struct.pack('>I', x) for x in dims) + payload)
n = 60000
imgs, labs = bytes(n * 784), bytes(n)
for name in ['good', 'other', 'trunc', 'badmagic', 'countmis', 'trunclab', 'gzbroken', 'emptyfile']:
    base = f'{d}/{name}'
    for split, m in [('train', n), ('t10k', 10000)]:
        idx(f'{base}/{split}-images-idx3-ubyte', [m, 28, 28], bytes(m * 784))
        idx(f'{base}/{split}-labels-idx1-ubyte', [m], bytes(m))
idx(f'{d}/other/train-images-idx3-ubyte', [n, 28, 28], b'\x01' + bytes(n * 784 - 1))
idx(f'{d}/trunc/train-images-idx3-ubyte', [n, 28, 28], bytes(n * 784 // 2))
idx(f'{d}/badmagic/train-images-idx3-ubyte', [n, 28, 28], imgs, magic=0x0804)
idx(f'{d}/countmis/train-labels-idx1-ubyte', [n - 1], bytes(n - 1))
idx(f'{d}/trunclab/train-labels-idx1-ubyte', [n], bytes(n // 2))
os.remove(f'{d}/gzbroken/train-images-idx3-ubyte')
with open(f'{d}/gzbroken/train-images-idx3-ubyte.gz', 'wb') as f: f.write(gzip.compress(b'x' * 1000)[:-20])
open(f'{d}/emptyfile/train-images-idx3-ubyte', 'wb').close()
os.makedirs(f'{d}/empty', exist_ok=True)
PY
DT=(train --dataset fashion-mnist --iterations 1 --batch-size 100 --backend "$BACKEND")
for name in trunc badmagic countmis trunclab gzbroken emptyfile empty; do
  run_case "D-$name" data error "train --data-dir with $name IDX" -- lca "${DT[@]}" --data-dir "$D/$name" --out "$O/d-$name"
done
run_case D-missing data error "train --data-dir nonexistent" -- lca "${DT[@]}" --data-dir "$D/nonexistent" --out "$O/d-missing"
run_case D-env data error "LCA_DATA_DIR nonexistent" -- env LCA_DATA_DIR="$D/nonexistent" node "$BIN" "${DT[@]}" --out "$O/d-env"
lca "${DT[@]}" --data-dir "$D/good" --out "$T/dgood" 2>/dev/null || echo "setup: training on generated IDX failed" >&2
run_case D-other data error "compute --data-dir with other data than the run's" -- lca compute --run "$T/dgood" --data-dir "$D/other" --subset 1000
run_case D-badfor data error "compute --data-dir with a truncated IDX" -- lca compute --run "$T/dgood" --data-dir "$D/trunc" --subset 1000

# --- compute flags ------------------------------------------------------------------------------------
C=(compute --run "$GOOD" --subset 1000 --part-size 5 --backend "$BACKEND")
run_case F1 flag error "compute --iterations 5:2" -- lca "${C[@]}" --iterations 5:2
run_case F2 flag error "compute --iterations abc" -- lca "${C[@]}" --iterations abc
run_case F3 flag error "compute --iterations 3" -- lca "${C[@]}" --iterations 3
run_case F4 flag error "compute --iterations 0:1000 (T=10)" -- lca "${C[@]}" --iterations 0:1000
run_case F5 flag error "compute --shard 3/2" -- lca "${C[@]}" --shard 3/2
run_case F6 flag error "compute --shard -1/2" -- lca "${C[@]}" --shard -1/2
run_case F7 flag error "compute --shard 1/0" -- lca "${C[@]}" --shard 1/0
run_case F8 flag error "compute --workers 0" -- lca "${C[@]}" --workers 0
run_case F9 flag error "compute --workers 1.5" -- lca "${C[@]}" --workers 1.5
run_case F10 flag error "compute --subset 0" -- lca "${C[@]}" --subset 0
run_case F11 flag error "compute --subset -5" -- lca "${C[@]}" --subset -5
run_case F12 flag error "compute --subset 1000000000" -- lca "${C[@]}" --subset 1000000000
run_case F13 flag error "compute --part-size 0" -- lca "${C[@]}" --part-size 0
run_case F14 flag error "compute --tolerance -1" -- lca "${C[@]}" --tolerance -1
run_case F15 flag error "compute --tolerance 0" -- lca "${C[@]}" --tolerance 0
run_case F16 flag error "compute --tolerance abc" -- lca "${C[@]}" --tolerance abc
run_case F17 flag error "compute --max-splits 3" -- lca "${C[@]}" --max-splits 3
run_case F18 flag error "compute --max-splits 0" -- lca "${C[@]}" --max-splits 0
run_case F19 flag error "compute --max-splits 1" -- lca "${C[@]}" --max-splits 1
run_case F20 flag error "compute --method rk4" -- lca "${C[@]}" --method rk4
run_case F21 flag error "compute --eval-batch-size 0" -- lca "${C[@]}" --eval-batch-size 0
run_case F22 flag error "compute --bogus-flag" -- lca "${C[@]}" --bogus-flag
run_case F23 flag error "compute without --run" -- lca compute
run_case F24 flag error "compute --run nonexistent" -- lca compute --run "$T/nonexistent"
run_case F25 flag error "compute --run a plain file" -- lca compute --run "$O/afile"
run_case F26 flag error "compute --shard 0/2 --force" -- lca "${C[@]}" --shard 0/2 --force
run_case F27 flag error "compute with other settings than the parts (no subset)" -- lca compute --run "$GOOD" --part-size 5 --backend "$BACKEND"
run_case F28 flag accept "compute again with the same settings (nothing to do)" -- lca "${C[@]}"

# --- manifests ------------------------------------------------------------------------------------------
M="$T/m"; mkdir -p "$M"
# A copy of the good run sharing its files (hard links), whose manifest is replaced, never edited in place.
manifest_case() { # id command expect description node-expression-on-m
  local dir="$M/$1"
  cp -al "$GOOD" "$dir" && rm "$dir/manifest.json"
  node -e "let m = require('$GOOD/manifest.json'); $5; require('fs').writeFileSync('$dir/manifest.json', typeof m === 'string' ? m : JSON.stringify(m))"
  local cmd
  case $2 in
    compute) cmd=(lca compute --run "$dir" --subset 1000 --part-size 5 --backend "$BACKEND" --force) ;;
    analyze) cmd=(lca analyze --run "$dir" --report layers --format tsv) ;;
    status) cmd=(lca status --run "$dir") ;;
  esac
  run_case "$1" manifest "$3" "$4 ($2)" -- "${cmd[@]}"
}
manifest_case M1 compute error "training.iterations a string" 'm.training.iterations = "forty"'
manifest_case M2 analyze error "variables[0].size a string" 'm.model.variables[0].size = "78400"'
manifest_case M3 analyze error "model.variables null" 'm.model.variables = null'
manifest_case M4 status error "training.iterations -5" 'm.training.iterations = -5'
manifest_case M5 compute error "unknown model (config and model)" 'm.config.model = m.model.name = "nope"'
manifest_case M6 compute error "config.model lenet, variables fc" 'm.config.model = "mnist-lenet"'
manifest_case M7 compute error "model.name and config lenet, variables fc" 'm.config.model = m.model.name = "mnist-lenet"'
manifest_case M8 compute error "format lca-run/99" 'm.format = "lca-run/99"'
manifest_case M9 compute error "a JSON array" 'm = "[]"'
manifest_case M10 compute error "training.iterations 80, weights hold 11 rows" 'm.training.iterations = 80'
manifest_case M11 compute error "dataset fingerprint differs" 'm.dataset.fingerprint = "0".repeat(64)'
manifest_case M12 analyze error "files.weights a path outside the run" 'm.files.weights = "../../../etc/passwd"'
manifest_case M13 status error "created a number" 'm.created = 5'
manifest_case M14 compute error "dataset.train_count a string" 'm.dataset.train_count = "10000"'
manifest_case M15 compute error "config.optimizer.lr a string" 'm.config.optimizer.lr = "0.01"'
manifest_case M16 analyze accept "extra keys (top level and in model)" 'm.extra = 1; m.model.note = "x"'
manifest_case M17 compute error "config missing" 'delete m.config'
manifest_case M18 analyze error "variables[1].offset wrong" 'm.model.variables[1].offset += 1'
manifest_case M19 analyze error "model.parameters wrong" 'm.model.parameters += 1'
manifest_case M20 status error "training.resumed_at a string" 'm.training.resumed_at = "5"'
manifest_case M21 status error "backend.threads 0" 'm.backend.threads = 0'
manifest_case M22 compute error "dataset.name unknown" 'm.dataset.name = "imagenet"'
manifest_case M23 analyze error "not JSON" 'm = "{ not json"'
manifest_case M24 status error "training missing" 'delete m.training'
manifest_case M25 status error "model.variables[0].shape has a 0" 'm.model.variables[0].shape = [0, 100]'
manifest_case M26 compute error "config.backend gpu" 'm.config.backend = "gpu"'
mkdir -p "$M/missing" && cp -al "$GOOD/weights.arrow" "$M/missing/"
run_case M27 manifest error "manifest.json missing (compute)" -- lca compute --run "$M/missing"
run_case M28 manifest error "manifest.json missing (analyze)" -- lca analyze --run "$M/missing"

# --- weights.arrow ----------------------------------------------------------------------------------------
W="$T/w"; mkdir -p "$W"
weights_case() { # id description python-statement-on-bytes-b
  local dir="$W/$1"
  cp -al "$GOOD" "$dir" && rm "$dir/weights.arrow" && rm -rf "$dir/lca"
  python3 -c "import sys; b = open('$GOOD/weights.arrow','rb').read(); $3; open('$dir/weights.arrow','wb').write(b)"
  run_case "$1" weights error "$2 (compute)" -- lca compute --run "$dir" --subset 1000 --part-size 5 --backend "$BACKEND"
}
weights_case W1 "truncated to half" 'b = b[: len(b) // 2]'
weights_case W2 "random garbage" 'import os; b = os.urandom(len(b))'
weights_case W3 "empty" 'b = b""'
weights_case W4 "footer cut" 'b = b[:-200]'
weights_case W5 "one byte flipped in the magic" 'b = b"X" + b[1:]'
mkdir -p "$W/W6" && cp "$GOOD/manifest.json" "$W/W6/"
run_case W6 weights error "weights.arrow missing (compute)" -- lca compute --run "$W/W6" --subset 1000

# --- part files ----------------------------------------------------------------------------------------
P="$T/p"; mkdir -p "$P"
part_case() { # id command expect description shell-on-dir
  local dir="$P/$1"
  cp -al "$GOOD" "$dir"
  (cd "$dir/lca/adaptive" && eval "$5")
  local cmd
  case $2 in
    analyze) cmd=(lca analyze --run "$dir" --report layers --format tsv) ;;
    status) cmd=(lca status --run "$dir") ;;
    compute) cmd=(lca compute --run "$dir" --subset 1000 --part-size 5 --backend "$BACKEND") ;;
  esac
  run_case "$1" part "$3" "$4 ($2)" -- "${cmd[@]}"
}
TRUNC='f=part-000005-000009.arrow; head -c 3000 $f > x && rm $f && mv x $f'
part_case P1 analyze error "a truncated part" "$TRUNC"
part_case P2 status error "a truncated part" "$TRUNC"
part_case P3 compute error "a truncated part" "$TRUNC"
part_case P4 analyze error "a part of random bytes" 'f=part-000005-000009.arrow; rm $f; head -c 5000 /dev/urandom > $f'
part_case P5 analyze error "an empty part" 'f=part-000005-000009.arrow; rm $f; : > $f'
part_case P6 analyze error "a part named 5-9 holding rows 0-4" 'rm part-000005-000009.arrow; cp part-000000-000004.arrow part-000005-000009.arrow'
part_case P7 analyze error "an overlapping extra part 0-9" 'cp part-000000-000004.arrow part-000000-000009.arrow'
part_case P8 status error "a part that is a symlink outside the run" "rm part-000005-000009.arrow; ln -s $USER_DIR/thesis.txt part-000005-000009.arrow"
part_case P9 analyze accept "a stray non-part file in the folder (ignored)" 'echo x > notes.txt'
part_case P10 analyze accept "a dead process's temporary (ignored by readers)" 'echo x > .part-000010-000014.arrow.otherhost.1.tmp'

# --- analyze, plot, report ----------------------------------------------------------------------------------
cp "$USER_DIR/thesis.txt" "$T/existing.html" && cp "$USER_DIR/thesis.txt" "$T/existing.png"
run_case R1 read error "analyze --run nonexistent" -- lca analyze --run "$T/nonexistent"
run_case R2 read error "status --run a plain file" -- lca status --run "$O/afile"
run_case R3 read error "analyze --report bogus" -- lca analyze --run "$GOOD" --report bogus
run_case R4 read error "analyze --format xml" -- lca analyze --run "$GOOD" --format xml
run_case R5 read error "analyze --method first-order (not computed)" -- lca analyze --run "$GOOD" --method first-order
run_case R6 read error "analyze --iterations 30:20" -- lca analyze --run "$GOOD" --iterations 30:20
run_case R7 read error "analyze --layers nomatch*" -- lca analyze --run "$GOOD" --layers 'nomatch*'
run_case R8 read error "plot --out x.jpg" -- lca plot --run "$GOOD" --figure layers --out "$T/x.jpg"
run_case R9 read error "report --out r.pdf" -- lca report --run "$GOOD" --out "$T/r.pdf"
run_case R10 read error "report --out the run's manifest.json" -- lca report --run "$GOOD" --out "$GOOD/manifest.json"
run_case R11 read error "report --out an existing file without --force" -- lca report --run "$GOOD" --out "$T/existing.html"
run_case R12 read error "plot --out an existing file without --force" -- lca plot --run "$GOOD" --figure layers --out "$T/existing.png"
run_case R13 read error "report --out a folder" -- lca report --run "$GOOD" --out "$USER_DIR"
run_case R14 read error "plot --figure bogus" -- lca plot --run "$GOOD" --figure bogus --out "$T/f.png"
run_case R15 read error "plot --clip 0" -- lca plot --run "$GOOD" --figure heatmap --clip 0 --out "$T/f.png"
run_case R16 read error "analyze --iterations 0:1000 beyond T" -- lca analyze --run "$GOOD" --iterations 0:1000
run_case R17 read error "analyze on a run with no LCA computed" -- lca analyze --run "$O/div"
run_case R18 read accept "analyze --report layers (control)" -- lca analyze --run "$GOOD" --report layers --format tsv
run_case R19 read error "status --bogus" -- lca status --run "$GOOD" --bogus
run_case R20 read error "plot --iteration 5 --iterations 0:3" -- lca plot --run "$GOOD" --figure heatmap --iteration 5 --iterations 0:3 --out "$T/f.png"

# --- summary ------------------------------------------------------------------------------------------
echo
echo "| group | cases | clean errors | documented acceptances | not clean |"
echo "|---|---|---|---|---|"
awk -F'\t' '{ n[$2]++; if ($4 == "clean") c[$2]++; else if ($4 == "accepted") a[$2]++; else bad[$2]++; N++ }
  END { for (g in n) printf "| %s | %d | %d | %d | %d |\n", g, n[g], c[g], a[g], bad[g]; }' "$RESULTS" | sort
awk -F'\t' '{ N++; if ($4 == "clean") C++; else if ($4 == "accepted") A++; else B++ }
  END { printf "| **all** | **%d** | **%d** | **%d** | **%d** |\n", N, C, A, B }' "$RESULTS"
if grep -q 'NOT CLEAN' "$RESULTS"; then
  echo; echo "not clean:"; awk -F'\t' '$4 ~ /NOT CLEAN/ { printf "- %s (%s): %s — %s\n", $1, $5, $4, $6 }' "$RESULTS"
  exit 1
fi
