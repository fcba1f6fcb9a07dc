# The Linux guest benchmark's user program (tests/linux/vbench.c), a static
# x86-64 Linux binary for the benchmark's initramfs (tools/bench-linux.sh).
# Only `make bench` builds it: it needs glibc's libc.a (libc6-dev), which
# `make` and `make test` do not.
LINUX_VBENCH := $(BUILD)/linux/vbench

$(LINUX_VBENCH): tests/linux/vbench.c guest/vbench_plan.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -static -O2 -I. -Wall -Wextra -Werror $< -o $@
