keel-y += core/string.c core/printf.c core/kstrtou64.c core/console.c \
	core/palloc.c core/mm.c core/options.c core/selftest.c \
	core/poll.c
host-y += core/printf.c core/kstrtou64.c core/palloc.c core/options.c
host-tests += tests/host/test_core.c tests/host/test_options.c
