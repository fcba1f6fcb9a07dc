keel-y += drivers/kbd/ps2.c drivers/kbd/ps2_keymap.c
host-y += drivers/kbd/ps2_keymap.c
host-tests += tests/host/test_ps2_keymap.c
