# Test artefacts built from tests/: the stand-in third-party multiboot kernel.
MB_AOUT := $(BUILD)/tests/mb_aout.bin
all-targets += $(MB_AOUT)

$(BUILD)/tests/mb_aout.o: tests/guests/mb_aout.S tests/guests/com1_puts.inc
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(MB_AOUT): $(BUILD)/tests/mb_aout.o
	$(LD) -m elf_i386 -Ttext=0x100000 -Tbss=0x101000 --oformat=binary -o $@ $<

# The same kernel linked at 0x8000, below 1 MiB, as kvm-unit-tests'
# realmode.flat loads: the multiboot loader must place it and keep its
# information block out of its way.
MB_AOUT_LOW := $(BUILD)/tests/mb_aout_low.bin
all-targets += $(MB_AOUT_LOW)

$(MB_AOUT_LOW): $(BUILD)/tests/mb_aout.o
	$(LD) -m elf_i386 -Ttext=0x8000 -Tbss=0x9000 --oformat=binary -o $@ $<

# A stand-in for kvm-unit-tests' x86_64 start-up, built as it builds its
# tests: a 64-bit ELF at 4 MiB objcopied to elf32-i386 (test_fw_cfg.py).
KUT_LIKE := $(BUILD)/tests/kut_like.flat
all-targets += $(KUT_LIKE)

$(BUILD)/tests/kut_like.o: tests/guests/kut_like.S tests/guests/com1_puts.inc
	@mkdir -p $(dir $@)
	$(CC) -m64 -c $< -o $@

$(BUILD)/tests/kut_like.elf: $(BUILD)/tests/kut_like.o
	$(LD) -m elf_x86_64 -z max-page-size=0x1000 -z noseparate-code \
		-Ttext=0x400000 -o $@ $<

$(KUT_LIKE): $(BUILD)/tests/kut_like.elf
	$(OBJCOPY) -O elf32-i386 $< $@
