# Keel build. `make` builds Keel, the test guest and the host tools, `make iso`
# the boot ISO, `make run` boots it, `make test` runs every test, `make bench`
# benchmarks. Each subsystem lists its sources in its own build.mk.

# The build.mk fragments below define targets of their own; `make` alone
# must still build everything.
.DEFAULT_GOAL := all

CROSS ?=
CC := $(CROSS)gcc
LD := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
PYTHON ?= /usr/bin/python3
BUILD := build

# What `make iso` and `make run` put on the ISO (README.md, "Running Keel").
# GUEST is an input file, never a make target: Keel's own test guest is always
# built at $(TEST_GUEST) and is only the default.
KEEL_CMDLINE ?= console=com1,115200
GUEST_CMDLINE ?=
ISO ?= $(BUILD)/keel.iso
EMU ?= auto
RUN_TIMEOUT ?= 3600
RUN_DIR ?= $(BUILD)/run
ifeq ($(origin GUEST_ELF),command line)
$(error GUEST_ELF= is no longer an input: use GUEST=path/to/kernel)
endif

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

GUEST ?= $(TEST_GUEST)

KEEL_OBJS := $(patsubst %,$(BUILD)/keel/%.o,$(basename $(keel-y)))
HOST_OBJS := $(patsubst %,$(BUILD)/host/obj/%.o,$(basename $(host-y)))
HOST_TEST_BINS := $(patsubst tests/host/%.c,$(BUILD)/host/tests/%,$(host-tests))

.PHONY: all iso run test host-test system-test lint bench deps clean FORCE

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

iso: $(ISO)

# The ISO's inputs that are not files: rewritten only when a value changes,
# so that a new command line or another GUEST rebuilds the ISO and an
# unchanged one does not. The values reach the shell through the
# environment, so that quotes in a command line survive.
ISO_INPUTS := $(ISO).inputs
$(ISO_INPUTS): export KEEL_CMDLINE := $(KEEL_CMDLINE)
$(ISO_INPUTS): export GUEST_CMDLINE := $(GUEST_CMDLINE)
$(ISO_INPUTS): export GUEST := $(if $(GUEST),$(abspath $(GUEST)))
$(ISO_INPUTS): FORCE
	@mkdir -p $(dir $@)
	@printf 'KEEL_CMDLINE=%s\nGUEST=%s\nGUEST_CMDLINE=%s\n' \
		"$$KEEL_CMDLINE" "$$GUEST" "$$GUEST_CMDLINE" >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

# A user's GUEST is a prerequisite only when it exists (mkiso.sh reports a
# missing one), so make never looks for a rule to build it.
$(ISO): export KEEL_CMDLINE := $(KEEL_CMDLINE)
$(ISO): export GUEST_CMDLINE := $(GUEST_CMDLINE)
$(ISO): export GUEST := $(GUEST)
$(ISO): $(BUILD)/keel.elf $(filter $(TEST_GUEST),$(GUEST)) \
		$(wildcard $(filter-out $(TEST_GUEST),$(GUEST))) $(ISO_INPUTS) \
		tools/mkiso.sh
	@echo "ISO $@: Keel '$$KEEL_CMDLINE', guest $${GUEST:-(none)} '$$GUEST_CMDLINE'"
	@tools/mkiso.sh $@ "$$KEEL_CMDLINE" "$$GUEST" "$$GUEST_CMDLINE"

# EMU=kvm on a host that cannot run it fails here, before any building.
ifneq ($(filter run,$(MAKECMDGOALS)),)
RUN_EMU_PROBLEM := $(shell tools/run.sh --check $(EMU) 2>&1 >/dev/null)
ifneq ($(RUN_EMU_PROBLEM),)
$(error $(RUN_EMU_PROBLEM))
endif
endif

# A plain command, with no shell between make and run.sh, so that a SIGTERM
# that make passes on reaches run.sh, which stops the emulator.
run: export RUN_TIMEOUT := $(RUN_TIMEOUT)
run: export RUN_DIR := $(RUN_DIR)
run: deps all iso
	tools/run.sh $(EMU) $(ISO)

host-test: $(HOST_TEST_BINS)
	tools/run-host-tests.sh $(HOST_TEST_BINS)

system-test: all iso
	$(PYTHON) -m pytest -q tests/system

# lint, host-test and system-test through one script that ends with one
# line counting them all.
test: deps all iso
	MAKE="$(MAKE)" PYTHON="$(PYTHON)" tools/test.sh

lint:
	tools/lint.sh

bench: deps all iso $(LINUX_VBENCH)
	tools/bench.sh

deps:
	@tools/deps.sh

clean:
	rm -rf $(BUILD)

FORCE:

-include $(KEEL_OBJS:.o=.d) $(HOST_OBJS:.o=.d)
