# tools/eas-decode/build.mk: eas-decode writes alert recordings (--record) with libsndfile.
PKGS_eas-decode := sndfile
DEBS += libsndfile1-dev
