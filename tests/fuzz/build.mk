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
