# tools/eas-ctl/build.mk: eas-ctl links OpenSSL's libcrypto (HMAC-SHA256, random ids), yajl, and hiredis (through libeas.a).
PKGS_eas-ctl := libcrypto yajl
DEBS += libssl-dev libyajl-dev
