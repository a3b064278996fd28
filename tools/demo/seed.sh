#!/usr/bin/env bash
# Seeds the demo cases into a running local Worker: registers each case of cases.tsv through
# POST /api/v1/cases (an Idempotency-Key per case, so a second run finds the same cases
# instead of adding more), then moves them along with SQL (department, events, published
# replies), guarded by the case's version so a second run changes nothing.
# Usage: tools/demo/seed.sh BASE_URL PERSIST_DIR   (from the repository root)
set -euo pipefail
base=$1
persist=$2
here=$(dirname "$0")
sql=$(mktemp)
trap 'rm -f "$sql"' EXIT

json_string() { # a JSON string literal of $1 (the demo texts hold no quotes or backslashes)
  printf '"%s"' "$1"
}
sql_string() { printf "'%s'" "${1//\'/\'\'}"; }

# Already seeded (at least as many cases as the demo has)? Then there is nothing to do:
# idempotency keys expire after a day, so re-sending the cases later would add them again.
wanted=$(grep -cv '^#' "$here/cases.tsv")
have=$(node_modules/.bin/wrangler d1 execute DB --local --persist-to "$persist" --json \
  --command 'SELECT count(*) AS n FROM "case"' </dev/null |
  tr -d ' \n' | sed -n 's/.*"n":\([0-9]*\).*/\1/p')
if [ "${have:-0}" -ge "$wanted" ]; then
  exit 0
fi

while IFS=$'\t' read -r key category publish dept progress title body reply; do
  case "$key" in ''|'#'*) continue ;; esac
  seed="minyi-demo-case-$key"
  status=$(curl -sS -m 30 -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/cases" \
    -H 'content-type: application/json' -H "idempotency-key: $seed" \
    --data-binary "{\"category\":\"$category\",\"title\":$(json_string "$title"),\"body\":$(json_string "$body"),\"publish\":$publish,\"consent\":true}")
  case "$status" in 200|201) ;; *) echo "seed: case $key answered HTTP $status" >&2; exit 1 ;; esac

  [ "$progress" = registered ] && continue
  case_id="(SELECT case_id FROM idempotency WHERE key = '$seed')"
  guard="EXISTS (SELECT 1 FROM \"case\" WHERE id = $case_id AND version = 1)"
  minute=60000
  event() { # seq kind data offset-minutes
    printf "INSERT INTO case_event (case_id, seq, at, actor_kind, actor_ref, kind, public, data) SELECT id, %s, received_at + %s * %s, 'staff', 'demo', '%s', 1, '%s' FROM \"case\" WHERE id = %s AND version = 1;\n" \
      "$1" "$4" "$minute" "$2" "$3" "$case_id"
  }
  {
    printf "INSERT OR IGNORE INTO case_department (case_id, department_id, role) SELECT %s, %s, 'lead' WHERE %s;\n" "$case_id" "$dept" "$guard"
    version=2
    event 2 dispatched "{\"lead\":$dept,\"co_handlers\":[]}" 1
    if [ "$progress" != dispatched ]; then
      version=3
      event 3 accepted '{"automatic":false}' 2
    fi
    case "$progress" in
      replied|closed)
        version=4
        event 4 published '{"visibility":"public"}' 5
        printf "INSERT INTO reply (case_id, round, department_id, body, truthfulness, state, visibility, drafted_at, reviewed_at, published_at) SELECT id, 1, %s, %s, 'true', 'published', 'public', received_at + 3 * %s, received_at + 4 * %s, received_at + 5 * %s FROM \"case\" WHERE id = %s AND version = 1;\n" \
          "$dept" "$(sql_string "$reply")" "$minute" "$minute" "$minute" "$case_id"
        ;;
    esac
    closed=NULL
    [ "$progress" = closed ] && closed="received_at + 5 * $minute"
    printf "UPDATE \"case\" SET version = %s, status = '%s', lead_department_id = %s, updated_at = received_at + 5 * %s, closed_at = %s WHERE id = %s AND version = 1;\n" \
      "$version" "$progress" "$dept" "$minute" "$closed" "$case_id"
  } >> "$sql"
done < "$here/cases.tsv"

if [ -s "$sql" ]; then
  node_modules/.bin/wrangler d1 execute DB --local --persist-to "$persist" --file "$sql" </dev/null >/dev/null
fi
