/* SPDX-License-Identifier: MIT */
/*
 * Tasks for the task-switch checks (guest/taskswitch.c). Each records what
 * it sees, then goes back: by JMP to the main task's TSS, or by IRET along
 * the back-link (NT=1) for a CALL or a task gate. A later switch to the
 * same TSS resumes after that instruction, hence the loops.
 */
#define SEL_TSS_MAIN 0x20

	.text
	.code32

.macro RECORD
	movl %ebx, task_seen_ebx
	pushfl
	popl task_seen_eflags
	str %ax
	movzwl %ax, %eax
	movl %eax, task_seen_tr
	movl ts_gdt + SEL_TSS_MAIN + 4, %eax
	movl %eax, task_seen_main_desc_hi
	incl task_runs
.endm

	.global task_jmp_entry, task_jmp_resume
task_jmp_entry:
	RECORD
	ljmp $SEL_TSS_MAIN, $0
task_jmp_resume:
	jmp task_jmp_entry

	.global task_iret_entry, task_iret_resume
task_iret_entry:
	RECORD
	iret
task_iret_resume:
	jmp task_iret_entry
