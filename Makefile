# Keel build. `make` builds Keel and the host tools, `make iso` the boot ISO,
# `make run` boots it, `make test` runs every test, `make bench` benchmarks.
# Each subsystem lists its sources in its own build.mk.

CROSS ?=
CC := $(CROSS)gcc
LD := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
PYTHON ?= /usr/bin/python3
BUILD := build
EMU ?= auto

KEEL_CMDLINE ?= console=com1,115200
GUEST_CMDLINE ?=

KEEL_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-stack-protector \
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -Wall -Wextra -Werror -Wno-unused-parameter \
	-I. -MMD -MP
KEEL_ASFLAGS := -I. -MMD -MP -D__ASSEMBLY__
KEEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

HOST_CFLAGS := -std=c11 -g -O1 -DKEEL_HOST -D_DEFAULT_SOURCE -I. -Wall -Wextra -Werror \
	-Wno-unused-parameter -fno-omit-frame-pointer -MMD -MP
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_LIBS := -lcmocka -lm

# Filled by the build.mk fragments.
keel-y :=
host-y :=
host-tests :=
host-tools :=
all-targets :=

include $(sort $(wildcard */*.mk */*/build.mk))

KEEL_OBJS := $(patsubst %,$(BUILD)/keel/%.o,$(basename $(keel-y)))
HOST_OBJS := $(patsubst %,$(BUILD)/host/obj/%.o,$(basename $(host-y)))
HOST_TEST_BINS := $(patsubst tests/host/%.c,$(BUILD)/host/tests/%,$(host-tests))

.PHONY: all iso run test host-test system-test lint bench deps clean

all: $(BUILD)/keel.elf $(BUILD)/host/libkeel.a $(host-tools) $(all-targets)

$(BUILD)/keel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KEEL_CFLAGS) -c $< -o $@

$(BUILD)/keel/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KEEL_ASFLAGS) -c $< -o $@

$(BUILD)/keel.elf: $(KEEL_OBJS) linker.ld
	$(LD) $(KEEL_LDFLAGS) -o $@ $(KEEL_OBJS)

$(BUILD)/host/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -c $< -o $@

$(BUILD)/host/libkeel.a: $(HOST_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(HOST_OBJS)

$(BUILD)/host/tests/%: tests/host/%.c $(BUILD)/host/libkeel.a
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) $< -o $@ $(BUILD)/host/libkeel.a $(HOST_LIBS)

iso: $(BUILD)/keel.iso

$(BUILD)/keel.iso: $(BUILD)/keel.elf $(GUEST_ELF) tools/mkiso.sh
	tools/mkiso.sh $@ "$(KEEL_CMDLINE)" "$(GUEST_ELF)" "$(GUEST_CMDLINE)"

run: deps all iso
	tools/run.sh $(EMU) $(BUILD)/keel.iso

host-test: $(HOST_TEST_BINS)
	tools/run-host-tests.sh $(HOST_TEST_BINS)

system-test: all iso
	$(PYTHON) -m pytest -q tests/system

test: deps lint all iso host-test system-test

lint:
	tools/lint.sh

bench: deps all iso
	tools/bench.sh

deps:
	@tools/deps.sh

clean:
	rm -rf $(BUILD)

-include $(KEEL_OBJS:.o=.d) $(HOST_OBJS:.o=.d)
