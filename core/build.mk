keel-y += core/string.c core/printf.c core/cmdline.c core/console.c \
	core/palloc.c core/mm.c
host-y += core/printf.c core/cmdline.c core/palloc.c
host-tests += tests/host/test_core.c
