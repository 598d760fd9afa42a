# tools/eas-ctl/build.mk: eas-ctl links OpenSSL's libcrypto (HMAC-SHA256, random ids); hiredis and yajl come with libeas.a.
PKGS_eas-ctl := libcrypto
DEBS += libssl-dev openssl
