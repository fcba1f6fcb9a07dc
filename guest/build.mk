# The Keel test guest: a 32-bit multiboot (v1) ELF kernel, built with its
# own flags and linker script (it never links with Keel's objects).
override TEST_GUEST := $(BUILD)/guest/guest.elf
all-targets += $(TEST_GUEST)

GUEST_CC ?= $(CC)
GUEST_LD ?= $(LD)
GUEST_CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic \
	-fno-pie -fno-stack-protector -mgeneral-regs-only -nostdlib \
	-fno-builtin -fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
	-Iguest -I. -MMD -MP
GUEST_ASFLAGS := -m32 -Iguest -I. -MMD -MP
GUEST_SRCS := guest/boot.S guest/main.c guest/lib.c guest/tests.c \
	guest/mmio.c guest/scenarios.c guest/hostile.c guest/hostile_cpus.c guest/taskswitch.c \
	guest/tasks.S guest/paging.c guest/cpu_checks.c \
	guest/uart_checks.c guest/virtio_pci.c guest/virtio_dev.c \
	guest/virtio_irq.c guest/virtio_pattern.c guest/virtio_checks.c \
	guest/virtio_hostile.c guest/apic_checks.c guest/msr_checks.c \
	guest/hc_checks.c guest/console.c guest/virtio_bench.c \
	guest/virtio_bar.c guest/fw_cfg_checks.c guest/apic_base_checks.c \
	guest/tsc_adjust_checks.c guest/io_split_checks.c \
	guest/pc_testdev_checks.c
GUEST_OBJS := $(patsubst guest/%,build/guest/%.o,$(basename $(GUEST_SRCS)))

build/guest/%.o: guest/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

build/guest/%.o: guest/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(TEST_GUEST): $(GUEST_OBJS) guest/guest.ld
	$(GUEST_LD) -m elf_i386 -nostdlib -static -z noexecstack \
		--no-warn-rwx-segments -T guest/guest.ld -o $@ $(GUEST_OBJS)

-include $(GUEST_OBJS:.o=.d)
