# tools/eas-publish/build.mk: eas-publish links hiredis (through libeas.a), libpq and jansson.
PKGS_eas-publish := libpq jansson
DEBS += libpq-dev postgresql libjansson-dev
