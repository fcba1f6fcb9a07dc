# Test artefacts built from tests/: the stand-in third-party multiboot kernel.
MB_AOUT := $(BUILD)/tests/mb_aout.bin
all-targets += $(MB_AOUT)

$(BUILD)/tests/mb_aout.o: tests/guests/mb_aout.S
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
