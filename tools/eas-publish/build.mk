# tools/eas-publish/build.mk: eas-publish links hiredis and yajl (through libeas.a), libpq and
# libsystemd (sd_notify).
PKGS_eas-publish := libpq libsystemd
DEBS += libpq-dev postgresql libsystemd-dev
