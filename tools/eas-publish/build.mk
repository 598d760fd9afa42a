# tools/eas-publish/build.mk: eas-publish links hiredis and yajl (through libeas.a) and libpq.
PKGS_eas-publish := libpq
DEBS += libpq-dev postgresql
