keel-y += boot/head.S boot/main.c boot/options.c boot/platform.c \
	boot/storage.c boot/guest.c \
	boot/multiboot2.c
host-y += boot/multiboot2.c
host-tests += tests/host/test_mb2.c
