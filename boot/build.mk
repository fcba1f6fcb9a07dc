keel-y += boot/head.S boot/main.c boot/options.c boot/options_table.c boot/crash.c \
	boot/console.c boot/console_opt.c \
	boot/platform.c boot/storage.c boot/bootdisk.c boot/guest.c \
	boot/multiboot2.c
host-y += boot/multiboot2.c boot/options_table.c boot/console_opt.c \
	boot/bootdisk.c
host-tests += tests/host/test_mb2.c tests/host/test_options_doc.c \
	tests/host/test_console_opt.c tests/host/test_options_guest_disk.c \
	tests/host/test_bootdisk.c
