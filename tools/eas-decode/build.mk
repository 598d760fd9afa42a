# tools/eas-decode/build.mk: eas-decode needs nothing beyond libeas.a and libm.
PKGS_eas-decode :=
