keel-y += drivers/pci.c drivers/pci_enum.c
host-y += drivers/pci_enum.c
host-tests += tests/host/test_pci.c

# ACPI lives in arch/x86, whose build.mk belongs to the boot-path work; these
# lines can move there. acpi.c is Keel-only (map hook); the rest is pure.
keel-y += arch/x86/acpi.c arch/x86/acpi_tables.c arch/x86/acpi_parse.c \
	arch/x86/acpi_dmar.c arch/x86/acpi_aml.c
host-y += arch/x86/acpi_tables.c arch/x86/acpi_parse.c arch/x86/acpi_dmar.c \
	arch/x86/acpi_aml.c
host-tests += tests/host/test_acpi.c
