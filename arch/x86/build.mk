keel-y += arch/x86/entry.S arch/x86/gdt.c arch/x86/idt.c arch/x86/traps.c \
	arch/x86/paging.c arch/x86/time.c arch/x86/power.c
