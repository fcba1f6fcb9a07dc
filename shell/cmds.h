/* SPDX-License-Identifier: MIT */
/* The shell's command table and helpers its commands share; private. */
#ifndef KEEL_SHELL_CMDS_H
#define KEEL_SHELL_CMDS_H

#include "shell/shell.h"

struct vm;

extern const struct shell_cmd shell_cmds[];
extern const size_t shell_n_cmds;

/*
 * The running guest, or NULL after printing one line that says why there
 * is none ("no guest: this CPU has no VMX").
 */
struct vm *shell_need_guest(const char *cmd);

/* shell/cmd_vm.c, shell/cmd_dev.c, shell/cmd_sys.c */
int cmd_vm(int argc, char **argv);
int cmd_regs(int argc, char **argv);
int cmd_vmcs(int argc, char **argv);
int cmd_exits(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_ept(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_pci(int argc, char **argv);
int cmd_iommu(int argc, char **argv);
int cmd_blk(int argc, char **argv);
int cmd_sched(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_poweroff(int argc, char **argv);

#endif
