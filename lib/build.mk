# lib/build.mk: pkg-config packages libeas.a needs (LIB_PKGS) and their Debian packages (DEBS).
LIB_PKGS += hiredis yajl
DEBS += libhiredis-dev redis-server redis-tools redis-sentinel libyajl-dev
