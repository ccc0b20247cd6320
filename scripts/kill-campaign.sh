#!/usr/bin/env bash
# Kill campaign (issue 10): kill -9 `lca train` and `lca compute` at random moments, resume each, and
# compare the result byte for byte with an uninterrupted run. Train kills come in three kinds: a random
# moment of the whole command, a random moment after the run's finalisation began (manifest.json in the
# staging folder), and `--force` over an existing run killed after finalisation began (its two renames).
# A killed training is resumed as the docs say: `lca train --resume --out DIR`; if that says the training
# died before recording its config, the original command plus --resume; if nothing was started, the
# original command. Prints one row per trial and a summary table; exits 1 if any trial differs.
# Usage: scripts/kill-campaign.sh [scratch-dir]   (env: TRAIN_RANDOM=20 TRAIN_FINAL=6 TRAIN_FORCE=4
# COMPUTE_RANDOM=10 SEED=1 BACKEND=wasm; build first: npx tsc -p .)
source "$(dirname "$0")/campaign-common.sh" "${1:-}"
RANDOM=${SEED:-1}
TRAIN=(train --dataset fashion-mnist-fixture --iterations 40 --checkpoint-every 5 --backend "$BACKEND")
COMPUTE=(compute --subset 2000 --part-size 5 --backend "$BACKEND")
sha() { sha256sum "$1" 2>/dev/null | cut -c1-16; }
parts_sha() { (cd "$1/lca/adaptive" 2>/dev/null && sha256sum part-*.arrow | sha256sum | cut -c1-16); }
now() { date +%s.%N; }
ROWS="$T/trials.tsv"
: > "$ROWS"

# References: two uninterrupted trainings (seeds 0 and 1) and one compute.
start=$(now)
lca "${TRAIN[@]}" --out "$T/ref" 2>/dev/null || { echo "reference training failed" >&2; exit 1; }
TRAIN_SECONDS=$(echo "$(now) - $start" | bc)
lca "${TRAIN[@]}" --seed 1 --out "$T/ref1" 2>/dev/null
REF=$(sha "$T/ref/weights.arrow"); REF1=$(sha "$T/ref1/weights.arrow")
echo "reference training: ${TRAIN_SECONDS} s, weights.arrow $REF" >&2

# Starts a command in its own process group; waits until $2 (a shell test) holds or the command ends, then
# a further random delay below $3 seconds, and kill -9s the group. Prints what it saw.
kill_after() { # trigger max-delay command…
  local trigger=$1 max=$2
  shift 2
  setsid node "$BIN" "$@" > /dev/null 2>&1 &
  local pid=$! t0 delay
  t0=$(now)
  while kill -0 "$pid" 2> /dev/null && ! eval "$trigger"; do sleep 0.02; done
  delay=$(awk -v r="$RANDOM" -v m="$max" 'BEGIN { printf "%.2f", r / 32767 * m }')
  sleep "$delay"
  if kill -0 "$pid" 2> /dev/null; then
    kill -9 -- "-$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    printf 'killed %.2f s after start' "$(echo "$(now) - $t0" | bc)"
  else
    wait "$pid" 2> /dev/null
    printf 'finished before the kill'
  fi
}

# Resumes DIR as the docs say; prints the route taken and the final exit code. ORIGINAL: the killed command's own flags.
resume() { # dir original-extra-flags…
  local dir=$1 force=()
  shift
  [[ " $* " == *" --force "* ]] && force=(--force)
  if [ -e "$dir/manifest.json" ] && [ ! -e "$dir.partial" ]; then echo "already complete"; return 0; fi
  if [ ! -e "$dir.partial" ]; then
    lca "${TRAIN[@]}" "$@" --out "$dir" > /dev/null 2> "$T/err"; echo "rerun (nothing staged): exit $?"; return
  fi
  lca train --resume --out "$dir" "${force[@]}" > /dev/null 2> "$T/err"
  local code=$?
  if [ $code = 2 ] && grep -q 'resume with the original --config and flags' "$T/err"; then
    lca "${TRAIN[@]}" "$@" --resume --out "$dir" > /dev/null 2> "$T/err"; echo "--resume --out: exit 2, advice followed: exit $?"; return
  fi
  echo "--resume --out: exit $code $(grep -v '^{' "$T/err" | head -1 | cut -c1-80)"
}

trial() { # id kind expected-sha dir kill-description resume-description
  local got verdict leftovers
  got=$(sha "$4/weights.arrow")
  leftovers=$(ls -d "$4".partial* 2> /dev/null | wc -l)
  if [ "$got" = "$3" ] && [ "$leftovers" = 0 ]; then verdict=identical; else verdict="DIFFERENT (got ${got:-nothing}, leftovers $leftovers)"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$5" "$6" "$verdict" >> "$ROWS"
  printf '%-5s %-8s %-40s %-55s %s\n' "$1" "$2" "$5" "$6" "$verdict" >&2
}

state() { ls "$1.partial" 2> /dev/null | tr '\n' ' '; }

for k in $(seq 1 "${TRAIN_RANDOM:-20}"); do
  d="$T/random-$k"
  # Odd trials: up to 0.8 of the reference's time from the start (start-up included); even trials: up to
  # half of it after the staging folder appears, so that most kills land in training itself. Trainings run
  # faster or slower with the machine's load; one that finishes first is counted apart in the summary.
  if [ $((k % 2)) = 1 ]; then
    seen=$(kill_after true "$(echo "$TRAIN_SECONDS * 0.8" | bc)" "${TRAIN[@]}" --out "$d")
  else
    seen=$(kill_after "[ -e '$d.partial' ]" "$(echo "$TRAIN_SECONDS * 0.5" | bc)" "${TRAIN[@]}" --out "$d")
  fi
  at="$seen; staged: $(state "$d")"
  trial "A$k" random "$REF" "$d" "$at" "$(resume "$d")"
done
for k in $(seq 1 "${TRAIN_FINAL:-6}"); do
  d="$T/final-$k"
  seen=$(kill_after "[ -e '$d.partial/manifest.json' ]" 0.4 "${TRAIN[@]}" --out "$d")
  trial "F$k" finalise "$REF" "$d" "$seen; staged: $(state "$d")" "$(resume "$d")"
done
for k in $(seq 1 "${TRAIN_FORCE:-4}"); do
  d="$T/force-$k"
  cp -r "$T/ref" "$d"
  seen=$(kill_after "[ -e '$d.partial/manifest.json' ]" 0.4 "${TRAIN[@]}" --seed 1 --force --out "$d")
  trial "R$k" force "$REF1" "$d" "$seen; staged: $(state "$d")" "$(resume "$d" --seed 1 --force)"
done

# Compute: kill at a random moment, rerun the same command, compare every part and the layers report.
start=$(now)
lca "${COMPUTE[@]}" --run "$T/ref" 2> /dev/null || { echo "reference compute failed" >&2; exit 1; }
COMPUTE_SECONDS=$(echo "$(now) - $start" | bc)
REFP=$(parts_sha "$T/ref")
lca analyze --run "$T/ref" --report layers --format tsv > "$T/ref-layers.tsv" 2> /dev/null
for k in $(seq 1 "${COMPUTE_RANDOM:-10}"); do
  d="$T/compute-$k"
  mkdir -p "$d" && cp "$T/ref/manifest.json" "$T/ref/weights.arrow" "$d/"
  seen=$(kill_after true "$COMPUTE_SECONDS" "${COMPUTE[@]}" --run "$d")
  parts=$(ls "$d/lca/adaptive" 2> /dev/null | grep -c '^part-')
  lca "${COMPUTE[@]}" --run "$d" > /dev/null 2>&1
  code=$?
  lca analyze --run "$d" --report layers --format tsv > "$T/layers.tsv" 2> /dev/null
  got=$(parts_sha "$d")
  if [ "$got" = "$REFP" ] && cmp -s "$T/layers.tsv" "$T/ref-layers.tsv"; then verdict=identical; else verdict="DIFFERENT"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "C$k" compute "$seen; $parts parts" "rerun: exit $code" "$verdict" >> "$ROWS"
  printf '%-5s %-8s %-40s %-55s %s\n' "C$k" compute "$seen; $parts parts" "rerun: exit $code" "$verdict" >&2
done

echo
echo "| kind | trials | identical to the uninterrupted run | different |"
echo "|---|---|---|---|"
awk -F'\t' '{ n[$2]++; if ($5 == "identical") ok[$2]++; else bad[$2]++ } END { for (k in n) printf "| %s | %d | %d | %d |\n", k, n[k], ok[k], bad[k] }' "$ROWS" | sort
awk -F'\t' '{ n++; if ($5 == "identical") ok++; else bad++ } END { printf "| **all** | **%d** | **%d** | **%d** |\n", n, ok, bad }' "$ROWS"
echo
echo "interrupted by the kill: $(grep -c 'killed' "$ROWS") of $(wc -l < "$ROWS") trials (a kill after the final rename interrupts nothing: 'staged:' is empty and the run 'already complete'); the others had finished before it"
! grep -q DIFFERENT "$ROWS"
