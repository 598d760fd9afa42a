# tools/eas-decode/build.mk: eas-decode writes alert recordings (--record) with libsndfile, which it
# loads with dlopen only then (record.c says why): its headers at build time, the library at run time.
PKGS_eas-decode :=
LIBS_eas-decode := -ldl
DEBS += libsndfile1-dev libsndfile1
