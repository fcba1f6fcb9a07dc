keel-y += drivers/uart/uart.c drivers/uart/option.c
host-y += drivers/uart/option.c
