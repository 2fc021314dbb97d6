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

# The API part: start the API on the sample (APP_DATA_DIR), then run each curl command against it.
api_block="$(sed -n '/<!-- own-data-api:begin/,/<!-- own-data-api:end/p' README.md | grep -E '^(APP_DATA_DIR=|curl )' || true)"
start_line="$(grep -E '^APP_DATA_DIR=' <<< "$api_block" | head -n 1)"
[[ -n $start_line ]] || { echo "README.md has no 'APP_DATA_DIR=… npm start' line between the own-data-api markers" >&2; exit 1; }
data_dir="${start_line%% *}"
data_dir="${data_dir#APP_DATA_DIR=}"
port="${README_API_PORT:-39310}"
base="http://127.0.0.1:${port}"
echo "\$ $start_line   (run as: node dist/apps/api/main.js on port $port)"
APP_DATA_DIR="$data_dir" APP_PORT="$port" setsid node dist/apps/api/main.js > /tmp/readme-api.log 2>&1 &
api_pid=$!
trap 'kill -- "-$api_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -sf "$base/health/ready" > /dev/null && break
  kill -0 "$api_pid" 2> /dev/null || { echo "the API stopped; its output:" >&2; tail -n 30 /tmp/readme-api.log >&2; exit 1; }
  sleep 1
done
curl -sf "$base/health/ready" > /dev/null || { echo "the API did not become ready; its output:" >&2; tail -n 30 /tmp/readme-api.log >&2; exit 1; }

outputs=()
while IFS= read -r line; do
  echo "\$ $line"
  command="${line//localhost:3000/127.0.0.1:$port}"
  answer="$(eval "$command -w '\n%{http_code}'")"
  status="${answer##*$'\n'}"
  body="${answer%$'\n'*}"
  echo "  -> HTTP $status: ${body:0:160}"
  [[ $status == 2* ]] || { echo "expected a 2xx answer" >&2; exit 1; }
  outputs+=("$body")
  if [[ $line == *alerts/scan* ]]; then
    # The scan runs as a job: wait for it, as the README tells a reader to follow it.
    job="$(node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).jobId' <<< "$body")"
    for _ in $(seq 1 60); do
      state="$(curl -s -H 'X-API-Key: dev-admin-key' "$base/api/v1/alerts/scan/$job" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).status')"
      [[ $state == succeeded ]] && break
      [[ $state == failed || $state == cancelled ]] && { echo "the scan job ended $state" >&2; exit 1; }
      sleep 1
    done
    [[ $state == succeeded ]] || { echo "the scan job did not finish" >&2; exit 1; }
  fi
done < <(grep -E '^curl ' <<< "$api_block")

all="${outputs[*]}"
for expected in 'aml.structuring' '"decision"' 'beneficialOwners'; do
  grep -q -- "$expected" <<< "$all" || { echo "the API answers do not contain $expected" >&2; exit 1; }
done
echo "The README's API commands ran against the sample bank and answered as it says."
