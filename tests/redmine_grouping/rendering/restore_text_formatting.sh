#!/usr/bin/env bash
# CTest cleanup of the rendering tests: a test that died while the local Redmine's global
# Setting.text_formatting was switched left the value it found in FILE; put it back.
set -euo pipefail
saved="${1:?usage: $0 FILE}"
[[ -s "$saved" ]] || exit 0
here="$(cd "$(dirname "$0")" && pwd)"
value="$(head -n 1 "$saved")"
for attempt in 1 2 3 4 5; do # Redmine's SQLite may be locked by another writer for a moment
  if "$here/../../../scripts/redmine-local.sh" runner "$here/text_formatting.rb" "TG_SET=$value" |
    grep -qx "TG_TEXT_FORMATTING=$value"; then
    rm -f "$saved"
    echo "restored Setting.text_formatting = $value"
    exit 0
  fi
  sleep "$attempt"
done
echo "could not restore Setting.text_formatting = $value (kept in $saved)" >&2
exit 1
