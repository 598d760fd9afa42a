#!/bin/sh
# dashboard.cgi: the station's dashboard page (eas-watch html) as a CGI script: 200, or 503 when
# Redis cannot be reached (the page still renders and says so).  Environment: EAS_REDIS_URL,
# EAS_PREFIX, and EAS_WATCH_OPTS (extra options for every eas-watch call, e.g. "--stale 30").
# shellcheck disable=SC2086
page=$(eas-watch html $EAS_WATCH_OPTS 2>/dev/null)
rc=$?
case $rc in
0) ;;
3) printf 'Status: 503 Service Unavailable\r\n' ;;
*)
	printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n'
	echo "eas-watch html failed (exit $rc)"
	exit 0
	;;
esac
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
printf '%s\n' "$page"
