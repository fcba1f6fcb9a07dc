# Keel's shell on the serial console (docs/console.md). The line editor,
# the Ctrl-A x3 switch detector and the command parser are pure and
# host-tested; the input path and the commands run in Keel only.
shell-pure := shell/lineedit.c shell/switch.c shell/parse.c
keel-y += $(shell-pure) shell/input.c shell/cmds.c shell/cmd_vm.c \
	shell/cmd_dev.c shell/cmd_sys.c
host-y += $(shell-pure)
host-tests += tests/host/test_shell.c
