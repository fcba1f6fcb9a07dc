# EPT builder and guest page-table walker: pure, in Keel and host-tested.
ept-pure := ept/ept.c ept/gpt.c
keel-y += $(ept-pure)
host-y += $(ept-pure)
host-tests += tests/host/test_ept.c tests/host/test_ept_gpt.c
