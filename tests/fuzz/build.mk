# The virtio-blk fuzzer (libFuzzer, clang from Debian): the virtqueue walk,
# the request decoder and the whole device against a fake guest memory.
# `make fuzz` builds it and runs it for FUZZ_TIME seconds from the seed
# corpus in tests/fuzz/corpus (tools/fuzz.sh); `make test` runs it too.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_BIN := $(BUILD)/fuzz/fuzz_virtio
FUZZ_SRC := tests/fuzz/fuzz_virtio.c vdev/virtq.c vdev/virtio_blk_req.c \
	vdev/virtio_blk.c vdev/virtio_pci.c core/printf.c core/kstrtou64.c $(block-src)
FUZZ_CFLAGS := -std=c11 -g -O1 -DKEEL_HOST -D_DEFAULT_SOURCE -I. -Wall -Wextra \
	-Werror -Wno-unused-parameter -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz
$(FUZZ_BIN): $(FUZZ_SRC) $(wildcard vdev/*.h block/*.h core/*.h) tests/host/virtio_fake.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SRC) -o $@

fuzz: $(FUZZ_BIN)
	FUZZ_TIME=$(FUZZ_TIME) tools/fuzz.sh $(FUZZ_BIN) tests/fuzz/corpus

# The boot-input fuzzer: multiboot2 information, ACPI tables, multiboot and
# Linux guest images, ATA IDENTIFY and the command line (tests/fuzz/
# fuzz_boot.c). `make fuzz-boot` runs it for FUZZ_TIME seconds from
# tests/fuzz/corpus-boot.
FUZZ_BOOT_BIN := $(BUILD)/fuzz/fuzz_boot
FUZZ_BOOT_SRC := tests/fuzz/fuzz_boot.c boot/multiboot2.c \
	boot/options_table.c boot/console_opt.c arch/x86/acpi_tables.c \
	arch/x86/acpi_parse.c arch/x86/acpi_dmar.c arch/x86/acpi_aml.c \
	vm/mb1.c vm/mb1_info.c vm/linux_boot.c drivers/ata/identify.c \
	drivers/pci_bdf.c drivers/uart/option.c core/options.c \
	core/kstrtou64.c core/printf.c

.PHONY: fuzz-boot
$(FUZZ_BOOT_BIN): $(FUZZ_BOOT_SRC) $(wildcard boot/*.h arch/x86/*.h vm/*.h drivers/ata/*.h core/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_BOOT_SRC) -o $@

fuzz-boot: $(FUZZ_BOOT_BIN)
	FUZZ_TIME=$(FUZZ_TIME) tools/fuzz.sh $(FUZZ_BOOT_BIN) tests/fuzz/corpus-boot

# The guest's virtual PCI configuration space through ports 0xCF8-0xCFF
# (tests/fuzz/fuzz_pci_vcfg.c): no BAR mapping over a forbidden range or
# of another address; `make fuzz-vcfg`, seeds in tests/fuzz/corpus-vcfg.
FUZZ_VCFG_BIN := $(BUILD)/fuzz/fuzz_pci_vcfg
FUZZ_VCFG_SRC := tests/fuzz/fuzz_pci_vcfg.c vdev/pci_vcfg.c vdev/pci_vbar.c \
	core/printf.c

.PHONY: fuzz-vcfg
$(FUZZ_VCFG_BIN): $(FUZZ_VCFG_SRC) $(wildcard vdev/*.h core/*.h) tests/host/pci_vcfg_fake.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_VCFG_SRC) -o $@

fuzz-vcfg: $(FUZZ_VCFG_BIN)
	FUZZ_TIME=$(FUZZ_TIME) tools/fuzz.sh $(FUZZ_VCFG_BIN) tests/fuzz/corpus-vcfg

# make test's fuzz stage: every fuzzer, 45 s, 30 s and 15 s, one summary line.
.PHONY: fuzz-test
fuzz-test: $(FUZZ_BIN) $(FUZZ_BOOT_BIN) $(FUZZ_VCFG_BIN)
	tools/fuzz-all.sh $(FUZZ_BIN) tests/fuzz/corpus 45 \
		$(FUZZ_BOOT_BIN) tests/fuzz/corpus-boot 30 \
		$(FUZZ_VCFG_BIN) tests/fuzz/corpus-vcfg 15
