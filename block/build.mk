# Block layer (docs/block.md). Sources linked into Keel and into the host
# library; iosim and blkcost get a second, unsanitised -O2 build so that
# their timings mean something.
block-src := block/rbtree.c block/sortq.c block/tunable.c block/bio.c block/blk-core.c block/blk-order.c block/blk-dev.c block/blk-gap.c block/blk-index.c block/blk-retry.c \
	block/noop.c block/deadline.c block/kyber.c block/keel.c block/keel-read.c \
	block/ramdisk.c

keel-y += $(block-src)
host-y += $(block-src)
host-tests += tests/host/test_block.c tests/host/test_block_rules.c tests/host/test_block_bio.c \
	tests/host/test_block_elv.c tests/host/test_block_gap.c tests/host/test_block_gap_rules.c \
	tests/host/test_block_replay.c tests/host/test_block_retry.c \
	tests/host/test_block_iosim.c tests/host/test_block_sortq.c \
	tests/host/test_block_tunable.c tests/host/test_block_devs.c
host-tools += $(BUILD)/host/iosim $(BUILD)/host/blkcost

BLOCK_NOSAN_CFLAGS := $(filter-out -O1 -g,$(HOST_CFLAGS)) -O2
# block/tunable.c parses and prints with core/lib.h.
block-nosan-objs := $(patsubst %.c,$(BUILD)/host/nosan/%.o,$(block-src) core/printf.c core/kstrtou64.c)

$(BUILD)/host/nosan/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BLOCK_NOSAN_CFLAGS) -c $< -o $@

$(BUILD)/host/iosim: tools/iosim/iosim.c $(block-nosan-objs)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BLOCK_NOSAN_CFLAGS) $< $(block-nosan-objs) -o $@ -lm

$(BUILD)/host/blkcost: tools/iosim/blkcost.c $(block-nosan-objs)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BLOCK_NOSAN_CFLAGS) $< $(block-nosan-objs) -o $@ -lm

# The iosim test runs the binary, so it must exist first.
$(BUILD)/host/tests/test_block_iosim: $(BUILD)/host/iosim

-include $(block-nosan-objs:.o=.d)
