# In-kernel self-tests and benchmarks: each registers itself with SELFTEST()
# (core/selftest.h) for test= and bench=; no product code names them. The
# pure test pattern and range tables also build for the host.
keel-y += tests/kernel/ahci_selftest.c tests/kernel/ahci_st.c \
	tests/kernel/ahci_error_selftest.c tests/kernel/ahci_bench.c \
	tests/kernel/vtd_selftest.c tests/kernel/ahci_pattern.c \
	tests/kernel/ata_selftest.c tests/kernel/ata_pattern.c \
	tests/kernel/kbd_selftest.c tests/kernel/pattern_pass.c \
	tests/kernel/vblk_bench.c tests/kernel/blk_batch.c
host-y += tests/kernel/ahci_pattern.c tests/kernel/ata_pattern.c
host-tests += tests/host/test_ahci_pattern.c
