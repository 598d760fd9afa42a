# tools/eas-publish/build.mk: eas-publish links hiredis (through libeas.a), libpq and yajl.
PKGS_eas-publish := libpq yajl
DEBS += libpq-dev postgresql libyajl-dev
