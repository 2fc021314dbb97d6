#!/usr/bin/env bash
# Runs the commands of the README's "Run it on your own data" section (between the own-data
# markers) against the sample files in the repo, as a newcomer would, and checks their outcome.
# Needs `npm run build` first: `npm run seed --` is run as `node dist/apps/seeder/main.js`, so the
# seeder is not rebuilt for every command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -f dist/apps/seeder/main.js ]] || { echo "run npm run build first" >&2; exit 1; }

commands="$(sed -n '/<!-- own-data:begin/,/<!-- own-data:end/p' README.md | grep -E '^npm run seed -- ' || true)"
[[ -n $commands ]] || { echo "README.md has no 'npm run seed --' commands between the own-data markers" >&2; exit 1; }

rm -rf out/my-bank out/my-bank-alerts
while IFS= read -r line; do
  echo "\$ $line"
  read -r -a words <<< "${line#npm run seed -- }"
  node dist/apps/seeder/main.js "${words[@]}"
done <<< "$commands"

# What the README promises the newcomer will see.
for expected in 'A-1010' 'A-2004' 'structuring'; do
  grep -q -- "$expected" out/my-bank-alerts/alerts.md || { echo "alerts.md does not mention $expected" >&2; exit 1; }
done
test -s out/my-bank-alerts/alerts.csv && test -s out/my-bank-alerts/alerts.jsonl
echo "The README's own-data commands ran and found what it says."
