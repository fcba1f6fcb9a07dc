keel-y += drivers/fb/fbtext.c drivers/fb/font8x16.c drivers/fb/fbcon.c
host-y += drivers/fb/fbtext.c drivers/fb/font8x16.c
host-tests += tests/host/test_fbtext.c
