#!/usr/bin/env bash
# Seeds the demo staff accounts into a running local desk, once, and prints them: the first
# admin through POST /desk/setup (with the local ops secret), then one account per role through
# the admin's POST /desk/api/accounts. Roles that see personal data get a second factor; its
# secret (base32: add it to an authenticator app, or `oathtool --totp -b SECRET`) is kept in
# PERSIST_DIR/demo-staff.txt, which is printed on every start. Local runs only.
# Usage: tools/demo/staff.sh BASE_URL OPS_SECRET PERSIST_DIR   (from the repository root)
set -euo pipefail
base=$1
ops=$2
list=$3/demo-staff.txt
password=minyi-demo-password
json() { python3 -c "import json,sys; v=json.load(sys.stdin).get('$1'); print(v if v else '-')"; }
if [ ! -s "$list" ]; then
  status=$(curl -sS -m 60 -o /dev/null -w '%{http_code}' -X POST "$base/desk/setup" \
    -H "Authorization: Bearer $ops" -H 'content-type: application/json' \
    -d "{\"login\":\"admin\",\"display_name\":\"演示管理员\",\"password\":\"$password\"}")
  if [ "$status" = 201 ]; then
    admin=$(curl -fsS -m 60 -X POST "$base/desk/api/session" -H 'content-type: application/json' \
      -d "{\"login\":\"admin\",\"password\":\"$password\",\"code\":\"\"}" | json token)
    {
      printf '%-11s %-11s %s\n' login role 'second factor (TOTP secret, base32)'
      printf '%-11s %-11s %s\n' admin admin -
      for spec in "operator operator" "handler1 handler:1" "head1 head:1" "handler2 handler:2" \
        "reviewer reviewer" "leader leader" "supervisor supervisor"; do
        read -r login role <<<"$spec"
        uri=$(curl -fsS -m 60 -X POST "$base/desk/api/accounts" -H "Authorization: Bearer $admin" \
          -H 'content-type: application/json' \
          -d "{\"login\":\"$login\",\"display_name\":\"演示$login\",\"password\":\"$password\",\"roles\":[\"$role\"]}" |
          json totp_uri)
        secret=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
        printf '%-11s %-11s %s\n' "$login" "$role" "${secret:--}"
      done
    } >"$list"
  fi
fi
if [ -s "$list" ]; then
  echo "    demo staff accounts (password for all: $password):"
  sed 's/^/      /' "$list"
else
  echo "    (the desk has accounts not made by tools/demo/staff.sh; none listed)"
fi
