keel-y += arch/x86/entry.S arch/x86/gdt.c arch/x86/idt.c arch/x86/traps.c \
	arch/x86/paging.c arch/x86/time.c arch/x86/power.c \
	arch/x86/lapic.c arch/x86/smp.c arch/x86/smp_page.c arch/x86/ap_park.S

# ACPI: acpi.c is Keel-only (the mapping hook); the parsers are pure.
keel-y += arch/x86/acpi.c arch/x86/acpi_tables.c arch/x86/acpi_parse.c \
	arch/x86/acpi_dmar.c arch/x86/acpi_aml.c
host-y += arch/x86/acpi_tables.c arch/x86/acpi_parse.c arch/x86/acpi_dmar.c \
	arch/x86/acpi_aml.c
host-y += arch/x86/smp_page.c
host-tests += tests/host/test_acpi.c tests/host/test_smp_page.c
