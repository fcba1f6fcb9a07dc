# Test artefacts built from tests/: the stand-in third-party multiboot kernel.
MB_AOUT := $(BUILD)/tests/mb_aout.bin
all-targets += $(MB_AOUT)

$(BUILD)/tests/mb_aout.o: tests/guests/mb_aout.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(MB_AOUT): $(BUILD)/tests/mb_aout.o
	$(LD) -m elf_i386 -Ttext=0x100000 -Tbss=0x101000 --oformat=binary -o $@ $<
