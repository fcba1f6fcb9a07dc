/* SPDX-License-Identifier: MIT */
/*
 * The guest and its one vCPU, as the in-kernel VMX code sees them. Private
 * to vmx/; other subsystems use vmx/vmx.h.
 */
#ifndef KEEL_VMX_VCPU_H
#define KEEL_VMX_VCPU_H

#include "core/types.h"
#include "ept/ept.h"
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx.h"

#define VMX_NR_EXIT_REASONS (EXIT_REASON_TDCALL + 1)

#define GUEST_MAX_CHUNKS (GUEST_MAX_MEM / GUEST_CHUNK_SIZE)

#define GUEST_MAX_IO_HANDLERS 16
#define GUEST_MAX_MMIO_HANDLERS 16
#define GUEST_CON_LINE 256

/* Saved guest GPRs; vmx_entry.S uses the offsets in GREG_* below. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vcpu;

/*
 * Port and MMIO handlers. @val holds the value written, or receives the
 * value read (zero-extended). Return 0, or a negative errno to stop the
 * guest with a report naming the handler.
 */
typedef int (*io_handler_fn)(struct vcpu *v, u16 port, unsigned int size,
			     bool in, u32 *val, void *ctx);
typedef int (*mmio_handler_fn)(struct vcpu *v, u64 gpa, unsigned int size,
			       bool write, u64 *val, void *ctx);

struct io_handler {
	u16 base, count;
	io_handler_fn fn;
	void *ctx;
	const char *name;
};

struct mmio_handler {
	u64 base, size;
	mmio_handler_fn fn;
	void *ctx;
	const char *name;
};

struct exit_stat {
	u64 count;
	u64 cycles; /* TSC cycles spent in Keel handling this reason */
};

struct guest {
	u64 mem_size;
	unsigned int nchunks;
	phys_addr_t chunk[GUEST_MAX_CHUNKS];
	struct ept ept;
	u64 eptp;
	u16 vpid; /* 0: VPID not in use */
	u8 *io_bitmap; /* bitmaps A and B, SDM Vol.3C 25.6.4 */
	u8 *msr_bitmap; /* SDM Vol.3C 25.6.9 */
	unsigned int n_io, n_mmio;
	struct io_handler io[GUEST_MAX_IO_HANDLERS];
	struct mmio_handler mmio[GUEST_MAX_MMIO_HANDLERS];
	/* The guest's COM1 output, passed to Keel's console a line at a time. */
	char con_line[GUEST_CON_LINE];
	unsigned int con_len;
};

enum vcpu_state {
	VCPU_RUNNING,
	VCPU_EXITED, /* the guest asked to end, with a status */
	VCPU_STOPPED, /* Keel stopped it: a fault, a bad request, a bug */
};

struct vcpu {
	struct guest_regs regs; /* first: vmx_entry.S addresses it */
	u64 launched; /* VMLAUNCH done; then VMRESUME */
	struct guest *g;
	const struct vmx_config *cfg;
	enum vcpu_state state;
	int status;
	char stop_reason[160];
	u32 pending_irq; /* vector + 1 of an external interrupt to inject */
	u64 exits;
	u64 exit_tsc; /* TSC at the start of the exit being handled */
	u32 exit_reason; /* basic reason of the exit being handled */
	struct exit_stat stats[VMX_NR_EXIT_REASONS];
	struct exit_stat stat_unknown;
};

/* ---- vmx.c ---- */
extern struct vmx_config vmx_cfg;
const struct vmx_caps_msrs *vmx_caps(void);

/* ---- vmcs_init.c ---- */
/*
 * Allocate, clear and load a VMCS for @v and fill every control, host and
 * guest field for a multiboot (v1) entry at @entry with EBX = @mbi.
 */
int vmcs_setup(struct vcpu *v, u32 entry, u32 mbi);

/* ---- vmx_entry.S ---- */
/*
 * Run the guest until vmx_handle_exit() returns non-zero. Returns 0 then,
 * 1 when VMLAUNCH failed or 2 when VMRESUME failed (see the VM-instruction
 * error).
 */
int vmx_enter(struct vcpu *v);
void vmx_exit_stub(void);
/* Called by the exit stub with the guest's GPRs saved; 0 = resume. */
int vmx_handle_exit(struct vcpu *v);

/* ---- exit.c ---- */
void vcpu_stop(struct vcpu *v, const char *fmt, ...) __printf(2, 3);
void vcpu_exit_status(struct vcpu *v, int status);
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error,
			   u32 error);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v);
/* Queue an external interrupt; delivered when the guest can take it. */
void vcpu_deliver_pending_irq(struct vcpu *v);
void vcpu_queue_irq(struct vcpu *v, u8 vector);
void vcpu_dump_state(struct vcpu *v);
void vcpu_print_stats(const struct vcpu *v);
u64 *vcpu_gpr(struct vcpu *v, unsigned int index);

/* ---- guest_mem.c ---- */
int guest_mem_init(struct guest *g, u64 size);
/* Drop cached EPT translations after the tables change. */
void guest_flush_ept(struct guest *g);
/* Host pointer for [gpa, gpa+len) when it lies in one RAM chunk, or NULL. */
void *guest_ptr(struct guest *g, u64 gpa, u64 len);
int guest_read(struct guest *g, u64 gpa, void *buf, size_t len);
int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len);
/* Read/write guest memory by linear address through the guest's paging. */
int guest_read_linear(struct vcpu *v, u64 gla, void *buf, size_t len);
int guest_write_linear(struct vcpu *v, u64 gla, const void *buf, size_t len);

/* ---- io.c ---- */
int guest_register_io(struct guest *g, u16 base, u16 count, io_handler_fn fn,
		      void *ctx, const char *name);
int handle_io(struct vcpu *v);

/* ---- mmio.c ---- */
int guest_register_mmio(struct guest *g, u64 base, u64 size, mmio_handler_fn fn,
			void *ctx, const char *name);
int handle_ept_violation(struct vcpu *v);
int handle_ept_misconfig(struct vcpu *v);

/* ---- msr.c ---- */
void msr_bitmap_init(struct guest *g);
int handle_rdmsr(struct vcpu *v);
int handle_wrmsr(struct vcpu *v);

/* ---- cr.c ---- */
int handle_cr_access(struct vcpu *v);

/* ---- devices.c: the guest's UART, debug-exit port and test devices ---- */
int guest_devices_init(struct guest *g);
/* Pass what the guest printed so far to Keel's console. */
void guest_console_flush(struct guest *g);

/* ---- pci_cfg.c: the guest's view of PCI configuration space ---- */
int guest_pci_init(struct guest *g, const struct guest_config *gc);

/* ---- hypercall.c ---- */
int handle_vmcall(struct vcpu *v);

/*
 * Advance RIP past an emulated instruction of @len bytes. It ends STI/MOV
 * SS blocking, as a real one would (SDM Vol.3C 25.4.2).
 */
static inline void vcpu_advance_rip(struct vcpu *v, u64 len)
{
	u64 rip = vmread(VMCS_GUEST_RIP);
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vmwrite(VMCS_GUEST_RIP, rip + len);
	if (unlikely(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(u64)(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/* Advance RIP past the instruction that caused this exit. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
	vcpu_advance_rip(v, vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

#endif
