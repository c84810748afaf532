#!/bin/sh
# A CI job that regenerates the published zone from archived logs and
# fails loudly when rblforge's safety valve trips. A sketch to adapt:
# PUBLISHED is a checkout of the zone repository, LOGS the archive.
set -u
PUBLISHED=${PUBLISHED:-published}
LOGS=${LOGS:-logs}
rblforge run -c rblforge.ini --allowlist allowlist.txt -o "$PUBLISHED" "$LOGS"/mail.log*
status=$?
case $status in
0) echo "zone regenerated" ;;
3) echo "published, but some input was damaged (see the warnings above)" ;;
4) echo "SAFETY VALVE: the listing changed too much; nothing replaced." >&2
   echo "Review summary.json of a dry run, then rerun with --force." >&2
   exit 1 ;;
*) echo "rblforge failed with status $status; nothing replaced" >&2
   exit 1 ;;
esac
# The diff of this publication, for the job log.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("added", len(d["added"]), "removed", len(d["removed"]), "kept", d["kept"])' "$PUBLISHED/summary.json"
