# tools/eas-watch/build.mk: eas-watch links hiredis and yajl (through libeas.a); its tests use
# promtool (Debian package prometheus) to check the metrics it exports, and serve the dashboard
# CGI scripts (cgi/) with lighttpd to headless Chromium, fetched with curl too.
PKGS_eas-watch :=
DEBS += prometheus lighttpd chromium curl fonts-dejavu-core
