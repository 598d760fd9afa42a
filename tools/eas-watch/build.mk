# tools/eas-watch/build.mk: eas-watch links hiredis and yajl (through libeas.a); its tests use
# promtool (Debian package prometheus) to check the metrics it exports.
PKGS_eas-watch :=
DEBS += prometheus
