#!/bin/sh
# health.cgi: a health endpoint for load balancers and uptime monitors: the verdict of
# eas-watch check as JSON, with status 503 when it is CRITICAL (a stale or silent-for-good
# source, Redis unreachable) and 200 otherwise.  Environment as for dashboard.cgi.
# shellcheck disable=SC2086
body=$(eas-watch check --json $EAS_WATCH_OPTS 2>/dev/null)
rc=$?
case $rc in
0 | 1 | 3) ;;
2) printf 'Status: 503 Service Unavailable\r\n' ;;
*)
	printf 'Status: 500 Internal Server Error\r\n'
	body="{\"state\":\"UNKNOWN\",\"code\":3,\"summary\":\"eas-watch check failed (exit $rc)\"}"
	;;
esac
printf 'Content-Type: application/json\r\nCache-Control: no-store\r\n\r\n'
printf '%s\n' "$body"
