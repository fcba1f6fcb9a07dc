// SPDX-License-Identifier: MIT
/* The shared pattern pass; see tests/kernel/pattern_pass.h. */
#include "core/lib.h"
#include "tests/kernel/pattern_pass.h"

/* Every request's status, then (reads) its data; detail on the first bad. */
static int check_all(struct pattern_pass *p,
		     const struct ahci_pattern_range *rg, char *detail,
		     size_t size)
{
	for (unsigned int k = 0; k < rg->repeat; k++) {
		u64 lba = ahci_pattern_req_lba(rg, p->capacity, k);
		int st = p->ops->status(p, k);
		long off;

		if (st) {
			ksnprintf(detail, size, "LBA %llu status %d",
				  (unsigned long long)lba, st);
			return st;
		}
		off = p->write ? -1 : p->ops->check(p, k);
		if (off >= 0) {
			ksnprintf(detail, size, "LBA %llu: byte %ld wrong",
				  (unsigned long long)lba, off);
			return -EIO;
		}
	}
	return 0;
}

int pattern_pass_range(struct pattern_pass *p,
		       const struct ahci_pattern_range *rg, bool write)
{
	char name[48], detail[96] = "";
	unsigned int n = rg->repeat, k;
	int ret = 0;

	p->write = write;
	ksnprintf(name, sizeof(name), "%s%s.%s", p->prefix,
		  write ? "write" : "read", rg->name);
	if (n > p->max_reqs) {
		p->report(false, name, "too many requests");
		return -E2BIG;
	}
	for (k = 0; k < n && !ret; k++)
		ret = p->ops->prepare(p, k,
				      ahci_pattern_req_lba(rg, p->capacity, k));
	if (ret) {
		p->ops->release(p, k);
		if (ret == -ENOMEM)
			ksnprintf(detail, sizeof(detail), "out of memory");
		else
			ksnprintf(detail, sizeof(detail), "setup error %d",
				  ret);
		p->report(false, name, detail);
		return ret;
	}
	ret = p->ops->run(p, n);
	if (ret)
		ksnprintf(detail, sizeof(detail), "submit/wait error %d", ret);
	else
		ret = check_all(p, rg, detail, sizeof(detail));
	if (!ret)
		ksnprintf(detail, sizeof(detail), "lba %llu x%u, %u sectors%s",
			  (unsigned long long)ahci_pattern_req_lba(
				  rg, p->capacity, 0),
			  n, rg->sectors, p->note ? p->note : "");
	p->report(!ret, name, detail);
	p->ops->release(p, n);
	return ret;
}
