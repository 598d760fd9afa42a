#!/bin/sh
# metrics.cgi: the Prometheus export (eas-watch prometheus) for a scrape, in the text exposition
# format 0.0.4.  Environment as for dashboard.cgi.
# shellcheck disable=SC2086
body=$(eas-watch prometheus $EAS_WATCH_OPTS 2>/dev/null) || {
	printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\neas-watch prometheus failed\n'
	exit 0
}
printf 'Content-Type: text/plain; version=0.0.4; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
printf '%s\n' "$body"
