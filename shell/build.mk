# Keel's shell on the serial console (docs/console.md). The line editor,
# the Ctrl-A x3 switch detector and the command parser are pure and
# host-tested.
keel-y += shell/lineedit.c shell/switch.c shell/parse.c
host-y += shell/lineedit.c shell/switch.c shell/parse.c
host-tests += tests/host/test_shell.c
