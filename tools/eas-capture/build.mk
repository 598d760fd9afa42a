# tools/eas-capture/build.mk: eas-capture links libav* (files, streams, resampling) and alsa-lib.
PKGS_eas-capture := libavformat libavcodec libswresample libavutil alsa
LIBS_eas-capture := -lpthread
DEBS += libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libasound2-dev \
        alsa-utils ffmpeg multimon-ng sox jq python3 time
