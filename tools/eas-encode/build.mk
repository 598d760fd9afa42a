# tools/eas-encode/build.mk: eas-encode reads/writes sound files with libsndfile and resamples messages with libswresample.
PKGS_eas-encode := sndfile libswresample libavutil
DEBS += libsndfile1-dev libswresample-dev libavutil-dev
