# Emulated devices. Each registers itself with VM_DEVICE(); listing its
# source here is all it takes to add one (docs/architecture.md). pci_cfg.c
# stays last: it adds the PCI functions the others registered and maps the
# BARs clear of their MMIO ranges.
keel-y += vdev/uart.c vdev/uart16550.c vdev/debug_exit.c vdev/testdev.c vdev/reset.c \
	vdev/acpi_pm.c vdev/pci_vcfg.c vdev/pci_vbar.c vdev/virtq.c vdev/virtio_blk_req.c \
	vdev/virtio_blk.c vdev/virtio_pci.c vdev/virtio_dev.c vdev/hpet.c \
	vdev/hpet_filter.c vdev/fw_cfg_items.c vdev/fw_cfg.c vdev/pc_testdev.c \
	vdev/pci_cfg.c
# The virtual configuration space and the 16550 register model are pure
# and host-tested.
host-y += vdev/pci_vcfg.c vdev/pci_vbar.c vdev/uart16550.c vdev/hpet_filter.c \
	vdev/fw_cfg_items.c
# virtio-blk: the virtqueue, the request decoder, the transport and the
# back end are pure too (docs/virtio.md); only virtio_dev.c touches the VM.
host-y += vdev/virtq.c vdev/virtio_blk_req.c vdev/virtio_blk.c vdev/virtio_pci.c
host-tests += tests/host/test_virtq.c tests/host/test_virtio_blk.c \
	tests/host/test_virtio_blk_4k.c tests/host/test_virtio_blk_event.c
host-tests += tests/host/test_pci_vcfg.c tests/host/test_pci_vcfg_space.c \
	tests/host/test_pci_vcfg_bar.c \
	tests/host/test_uart16550.c tests/host/test_hpet_filter.c \
	tests/host/test_fw_cfg.c
