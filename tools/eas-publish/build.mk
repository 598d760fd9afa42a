# tools/eas-publish/build.mk: eas-publish links hiredis (through libeas.a), libpq, yajl and
# libsystemd (sd_notify).
PKGS_eas-publish := libpq yajl libsystemd
DEBS += libpq-dev postgresql libyajl-dev libsystemd-dev
