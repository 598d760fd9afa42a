# tools/eas-watch/build.mk: eas-watch links hiredis (through libeas.a) and yajl; its tests use
# promtool (Debian package prometheus) to check the metrics it exports.
PKGS_eas-watch := yajl
DEBS += libyajl-dev prometheus

# The threshold ranges and perfdata (range.c) are unit-tested on their own.
$(BUILD)/tests/test_range: tests/unit/test_range.c $(BUILD)/tools/eas-watch/range.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools/eas-watch $(ALL_LDFLAGS) -o $@ $^ -lm
