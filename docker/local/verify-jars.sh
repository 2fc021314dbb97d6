#!/usr/bin/env bash
# Checks every jar of a resolved classpath against the SHA-256 list committed next to the
# service's pom.xml, so a server started by these scripts runs exactly the bytes we reviewed.
#
#   verify-jars.sh <classpath file> <checksum list>            verify (exit 1 on any difference)
#   verify-jars.sh <classpath file> <checksum list> --write    rewrite the list (after a version bump)
#
# The list holds "sha256  <path inside the local Maven repository>" lines, sorted. Maven checks
# the repository's own checksums while downloading (--strict-checksums in the service scripts);
# this list also catches a jar changed in ~/.m2 afterwards, or a different jar resolved.
set -euo pipefail
cp_file="$1"
list="$2"
mode="${3:-verify}"

relative() { sed 's#^.*/repository/##'; }

actual="$(tr ':' '\n' < "$cp_file" | grep -v '^$' | while read -r jar; do
  [[ -f $jar ]] || { echo "missing-jar  $(relative <<< "$jar")"; continue; }
  printf '%s  %s\n' "$(sha256sum "$jar" | cut -d' ' -f1)" "$(relative <<< "$jar")"
done | LC_ALL=C sort -k2)"

if [[ $mode == --write ]]; then
  printf '%s\n' "$actual" > "$list"
  echo "wrote $(wc -l < "$list" | tr -d ' ') checksums to $list"
  exit 0
fi
if [[ ! -f $list ]]; then
  echo "no checksum list at $list; create it with: bash $0 $cp_file $list --write" >&2
  exit 1
fi
if ! diff_out="$(diff <(LC_ALL=C sort -k2 "$list") <(printf '%s\n' "$actual"))"; then
  echo "the resolved jars differ from the reviewed checksums in $list ('<' expected, '>' found):" >&2
  printf '%s\n' "$diff_out" | grep '^[<>]' | head -n 20 >&2
  echo "if you changed a version in pom.xml on purpose, review the new jars and run: bash $0 $cp_file $list --write" >&2
  exit 1
fi
