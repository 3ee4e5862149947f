# Builds the libFuzzer targets; `make fuzz` (tests/fuzz/fuzz.mk) runs it
# from the top of the build tree and passes top_srcdir, abs_top_srcdir,
# sysconfdir, pkgdatadir (for the macros AM_CPPFLAGS defines), FUZZ_CC, FUZZ_CFLAGS, FUZZ_LIBS, FUZZ_TARGET_FILES (the targets) and FUZZ_LIB_FILES.
# Everything, the library sources included, is compiled with clang's
# coverage instrumentation, AddressSanitizer and UBSan (every UBSan
# report is a crash), into tests/fuzz/obj/.
OBJ := tests/fuzz/obj
# As Makefile.am's DEFS and AM_CPPFLAGS (passing those on would lose their quotes).
FUZZ_CPPFLAGS := -DHAVE_CONFIG_H -I. -I$(top_srcdir)/src -DABS_TOP_SRCDIR='"$(abs_top_srcdir)"' \
	-DSYSCONFDIR='"$(sysconfdir)"' -DDATADIR='"$(pkgdatadir)"'
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
CFLAGS_FUZZ := -g -O1 -fno-omit-frame-pointer $(SANITIZE) -fsanitize=fuzzer-no-link
LIB_SRCS := $(filter %.c,$(FUZZ_LIB_FILES))
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
UTIL_OBJ := $(OBJ)/tests/fuzz/fuzz_util.o
BINS := $(FUZZ_TARGET_FILES:%.c=%)

all: $(BINS)

$(OBJ)/%.o: $(top_srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  CC(fuzz) $*.c"
	@$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(CFLAGS_FUZZ) -MMD -MP -c $< -o $@

$(OBJ)/libfuzzlib.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

tests/fuzz/fuzz_%: $(OBJ)/tests/fuzz/fuzz_%.o $(UTIL_OBJ) $(OBJ)/libfuzzlib.a
	@echo "  LD(fuzz) $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(SANITIZE) -pthread $^ $(FUZZ_LIBS) -o $@

clean:
	rm -rf $(OBJ) $(BINS)

.PHONY: all clean
# Keep the objects (not deleted as intermediates), yet a missing one is
# rebuilt: .SECONDARY would let an up-to-date archive hide a new source.
.PRECIOUS: $(OBJ)/%.o
-include $(LIB_OBJS:.o=.d) $(UTIL_OBJ:.o=.d) $(FUZZ_TARGET_FILES:%.c=$(OBJ)/%.d)
