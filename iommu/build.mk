# VT-d: the pure parts (capabilities, page tables, context tables,
# invalidation, faults) build for the host too; iommu.c is Keel's glue.
iommu-pure := iommu/vtd_caps.c iommu/vtd_dmar.c iommu/vtd_pt.c iommu/vtd_ctx.c \
	iommu/vtd_inv.c iommu/vtd_fault.c iommu/vtd_guest.c
keel-y += iommu/iommu.c iommu/iommu_report.c iommu/iommu_bm.c iommu/iommu_guest.c $(iommu-pure)
host-y += $(iommu-pure)
host-tests += tests/host/test_vtd_pt.c tests/host/test_vtd_inv.c \
	tests/host/test_vtd_scope.c
