// SPDX-License-Identifier: MIT
/*
 * Runs build/host/iosim on small traces and checks its output: the fixed
 * format, the disk models' arithmetic, the lecture example, merging, and
 * that every correctness rule of docs/block.md holds in the replay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define MAXREQ 8192

struct out {
	int n;
	long idx[MAXREQ];
	char op[MAXREQ];
	unsigned long long sector[MAXREQ], nsect[MAXREQ], arrival[MAXREQ];
	double disp[MAXREQ], done[MAXREQ];
	char summary[4096];
	int status;
};

static struct out o;

static const char *iosim(void)
{
	const char *p = getenv("IOSIM");

	return p ? p : "build/host/iosim";
}

static void write_trace(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void run_file(const char *args, const char *path)
{
	char cmd[1024], line[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s %s 2>/dev/null", iosim(), args, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	memset(&o, 0, sizeof(o));
	while (fgets(line, sizeof(line), p)) {
		if (line[0] == '#') {
			strncat(o.summary, line,
				sizeof(o.summary) - strlen(o.summary) - 1);
			continue;
		}
		assert_true(o.n < MAXREQ);
		int k = sscanf(line, "%ld %c %llu %llu %llu %lf %lf",
			       &o.idx[o.n], &o.op[o.n], &o.sector[o.n],
			       &o.nsect[o.n], &o.arrival[o.n], &o.disp[o.n],
			       &o.done[o.n]);
		assert_int_equal(k, 7);
		o.n++;
	}
	o.status = pclose(p);
}

static void run(const char *args, const char *trace_text)
{
	char path[] = "/tmp/keel-iosim-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_trace(path, trace_text);
	run_file(args, path);
	remove(path);
}

static double summary_val(const char *key, const char *field)
{
	const char *s = strstr(o.summary, key);
	char pat[64];
	double v;

	assert_non_null(s);
	if (field) {
		s = strstr(s, field);
		assert_non_null(s);
		snprintf(pat, sizeof(pat), "%s %%lf", field);
	} else {
		snprintf(pat, sizeof(pat), "%s %%lf", key);
	}
	assert_int_equal(sscanf(s, pat, &v), 1);
	return v;
}

/* Trace indices in the order the disk received them. */
static void dispatch_order(int *idx)
{
	for (int i = 0; i < o.n; i++)
		idx[i] = i;
	for (int i = 1; i < o.n; i++)
		for (int j = i; j > 0 && o.disp[idx[j]] < o.disp[idx[j - 1]];
		     j--) {
			int t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
}

static const char lecture[] = "# the lecture example\n"
			      "0 R 18 1\n0 R 5 1\n0 R 10 1\n0 R 1 1\n";

static void test_lecture_deadline(void **state)
{
	int idx[4];

	run("--sched deadline --disk hdd", lecture);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n, 4);
	dispatch_order(idx);
	assert_int_equal(o.sector[idx[0]], 1);
	assert_int_equal(o.sector[idx[1]], 5);
	assert_int_equal(o.sector[idx[2]], 10);
	assert_int_equal(o.sector[idx[3]], 18);
	assert_int_equal((int)summary_val("# seek_sectors", NULL),
			 1 + 3 + 4 + 7);
}

static void test_lecture_none(void **state)
{
	int idx[4];

	run("--sched none --disk hdd", lecture);
	assert_int_equal(o.n, 4);
	dispatch_order(idx);
	for (int i = 0; i < 4; i++)
		assert_int_equal(idx[i], i);
	assert_int_equal((int)summary_val("# seek_sectors", NULL),
			 18 + 14 + 4 + 10);
}

/*
 * keel's gap read: the four reads are one command over sectors 1..18, one
 * seek to sector 1 and the transfer of all 18 sectors, gaps included.
 */
static void test_lecture_gap_read(void **state)
{
	double seek = 0.5 + 7.5 * sqrt(1.0 / (1 << 28)) + 4.17;
	double t = (seek + 18 * 512 / 150e6 * 1000) * 1000;

	run("--sched keel --disk hdd", lecture);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_float_equal(o.disp[i], 0, 0.0001);
		assert_float_equal(o.done[i], t, 0.002);
	}
	assert_int_equal((int)summary_val("# gap_reads", NULL), 1);
	assert_int_equal((int)summary_val("# gap_reads", "merged"), 3);
	assert_int_equal((int)summary_val("# gap_reads", "sectors"), 14);
	assert_int_equal((int)summary_val("# seek_sectors", NULL), 1);
	/* gap_kb 0: the four one at a time, as deadline. */
	run("--sched keel --disk hdd --set gap_kb=0", lecture);
	assert_int_equal((int)summary_val("# gap_reads", NULL), 0);
	assert_int_equal((int)summary_val("# seek_sectors", NULL),
			 1 + 3 + 4 + 7);
}

static void test_format_and_comments(void **state)
{
	run("--sched none --disk ssd",
	    "# header\n\n100 W 64 8 # trailing\n  # indented comment\n"
	    "200\tR\t64\t8\n300 F 0 0\n");
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(o.idx[i], i);
	assert_int_equal(o.op[0], 'W');
	assert_int_equal(o.arrival[1], 200);
	assert_int_equal(o.op[2], 'F');
	assert_non_null(strstr(o.summary, "# throughput_MBps "));
	assert_non_null(strstr(o.summary, "# merges "));
	assert_non_null(strstr(o.summary, "# gap_reads "));
	assert_non_null(strstr(o.summary, "# read_latency_us "));
	assert_non_null(strstr(o.summary, "# write_latency_us "));
}

static void test_hdd_model(void **state)
{
	/* 8 sectors at the head: transfer only, 4096 B / 150e6 B/s. */
	run("--sched none --disk hdd --capacity 1000000",
	    "0 R 0 8\n100 R 8 8\n200 R 250008 8\n");
	double xfer = 4096 / 150e6 * 1e6;

	assert_float_equal(o.done[0], xfer, 0.002);
	assert_float_equal(o.done[1], 100 + xfer, 0.002);
	/* d = 250008 - 16 = 249992: 0.5 + 7.5 sqrt(d / cap) + 4.17 ms. */
	double seek = (0.5 + 7.5 * 0.4999919999359994 + 4.17) * 1000;

	assert_float_equal(o.done[2] - o.disp[2], seek + xfer, 0.01);
}

static void test_ssd_model(void **state)
{
	char trace[64 * 16] = "";

	for (int i = 0; i < 33; i++)
		snprintf(trace + strlen(trace), sizeof(trace) - strlen(trace),
			 "0 R %d 8\n", i * 100);
	run("--sched none --disk ssd", trace);
	double t = 80 + 4096 / 500e6 * 1e6;

	/* 32 in flight at once; the 33rd waits for a slot. */
	assert_float_equal(o.done[31], t, 0.002);
	assert_float_equal(o.disp[32], t, 0.002);
	assert_float_equal(o.done[32], 2 * t, 0.002);
}

static void test_merged_requests_share_times(void **state)
{
	run("--sched deadline --disk hdd",
	    "0 W 1000 8\n0 W 16 8\n0 W 8 8\n0 W 24 8\n");
	assert_int_equal((int)summary_val("# merges", NULL), 2);
	assert_float_equal(o.disp[1], o.disp[2], 0.0001);
	assert_float_equal(o.done[1], o.done[3], 0.0001);
}

static void test_merge_cap_2048(void **state)
{
	run("--sched none --disk hdd", "0 W 0 2048\n0 W 2048 8\n");
	assert_int_equal((int)summary_val("# merges", NULL), 0);
	/* Larger than one request: split, and still one output line. */
	run("--sched none --disk hdd", "0 R 0 5000\n");
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n, 1);
	assert_float_equal(o.done[0], 5000 * 512 / 150e6 * 1e6, 0.01);
}

static void test_bad_usage_exits_2(void **state)
{
	run("--sched cfq --disk hdd", "0 R 0 8\n");
	assert_int_equal(WEXITSTATUS(o.status), 2);
	run("--sched none --disk hdd", "0 X 0 8\n");
	assert_int_equal(WEXITSTATUS(o.status), 2);
	run("--sched none --disk hdd --capacity 10", "0 R 8 8\n");
	assert_int_equal(WEXITSTATUS(o.status), 2);
	/* Numbers that strtoull/sscanf would wrap or clamp. */
	static const char *const bad[] = {
		"-5 R 0 8\n",
		"99999999999999999999 R 0 8\n",
		"0 R 18446744073709551615 8\n",
		"0 R +1 8\n",
		"0 R 0 0\n",
		"0 R 0 16777216\n",
		"4503599627371 R 0 8\n",
		"0 RW 0 8\n",
		"0 R 0 8 9\n",
		"0 R 0\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run("--sched none --disk hdd", bad[i]);
		assert_int_equal(WEXITSTATUS(o.status), 2);
	}
	run("--sched none --disk hdd", "4503599627370 R 0 8\n");
	assert_int_equal(WEXITSTATUS(o.status), 0);
}

static bool overlap(int a, int b)
{
	return o.sector[a] < o.sector[b] + o.nsect[b] &&
	       o.sector[b] < o.sector[a] + o.nsect[a];
}

/* Submission order: arrival, then trace order. */
static bool before(int a, int b)
{
	if (a < b)
		return o.arrival[a] <= o.arrival[b];
	return o.arrival[a] < o.arrival[b];
}

/* Every rule of docs/block.md, checked on the replay. */
static void check_rules(void)
{
	const double eps = 0.0005;

	for (int i = 0; i < o.n; i++) {
		assert_true(o.disp[i] + eps >= o.arrival[i]);
		assert_true(o.done[i] + eps >= o.disp[i]);
		for (int j = 0; j < o.n; j++) {
			if (!before(i, j))
				continue;
			if (o.op[i] != 'F' && o.op[j] != 'F' &&
			    (o.op[i] == 'W' || o.op[j] == 'W') && overlap(i, j))
				assert_true(o.disp[j] + eps >= o.done[i]);
			if (o.op[i] == 'W' && o.op[j] == 'F')
				assert_true(o.done[j] + eps >= o.done[i]);
			if (o.op[i] == 'F')
				assert_true(o.disp[j] + eps >= o.done[i]);
		}
	}
}

static void random_trace(char *buf, size_t size, unsigned seed)
{
	size_t len = 0;
	unsigned t = 0;

	srand(seed);
	buf[0] = 0;
	for (int i = 0; i < 300; i++) {
		int r = rand() % 100;
		char op = r < 55 ? 'R' : r < 95 ? 'W' : 'F';
		/* A small span so that overlaps and merges are common. */
		unsigned s = (unsigned)(rand() % 64) * 8;
		unsigned n = 8 * (1 + rand() % 4);

		t += (unsigned)(rand() % 3) * 500;
		if (op == 'F')
			len += snprintf(buf + len, size - len, "%u F 0 0\n", t);
		else
			len += snprintf(buf + len, size - len, "%u %c %u %u\n",
					t, op, s, n);
	}
}

static void test_rules_hold_in_replay(void **state)
{
	static char trace[300 * 32];
	static const char *const cfg[] = {
		"--sched none --disk hdd",
		"--sched deadline --disk hdd",
		"--sched none --disk ssd",
		"--sched deadline --disk ssd",
		"--sched deadline --disk ssd --fifo-batch 1 --writes-starved 0",
		"--sched kyber --disk hdd",
		"--sched kyber --disk ssd",
		"--sched keel --disk hdd",
		"--sched keel --disk ssd",
		"--sched keel --disk hdd --fifo-batch 1 --writes-starved 0",
	};

	for (unsigned seed = 1; seed <= 3; seed++) {
		random_trace(trace, sizeof(trace), seed);
		for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
			run(cfg[c], trace);
			assert_int_equal(o.status, 0);
			assert_int_equal(o.n, 300);
			check_rules();
		}
	}
}

static void gen_workloads(char *dir)
{
	char cmd[256];

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "python3 tests/bench/block_workloads.py %s 4 >/dev/null", dir);
	assert_int_equal(system(cmd), 0);
}

/* The benchmark workloads (tools/bench-block.sh) obey the rules too. */
static void test_rules_hold_on_bench_workloads(void **state)
{
	static const char *const names[] = { "lecture",	 "seqread",
					     "randread", "writeflood",
					     "mix7030",	 "flushheavy" };
	static const char *const cfg[] = {
		"--sched none --disk hdd",  "--sched deadline --disk hdd",
		"--sched none --disk ssd",  "--sched deadline --disk ssd",
		"--sched kyber --disk ssd", "--sched keel --disk hdd",
		"--sched keel --disk ssd",
	};
	char dir[] = "/tmp/keel-wl-XXXXXX", path[300];

	gen_workloads(dir);
	for (size_t w = 0; w < sizeof(names) / sizeof(names[0]); w++) {
		snprintf(path, sizeof(path), "%s/%s.trace", dir, names[w]);
		for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
			run_file(cfg[c], path);
			assert_int_equal(o.status, 0);
			assert_true(o.n > 0);
			check_rules();
		}
		remove(path);
	}
	/* Sized for the SSD only (block_workloads.py). */
	snprintf(path, sizeof(path), "%s/ssdflood.trace", dir);
	for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		if (!strstr(cfg[c], "ssd"))
			continue;
		run_file(cfg[c], path);
		assert_int_equal(o.status, 0);
		check_rules();
	}
	remove(path);
	assert_int_equal(rmdir(dir), 0);
}

/* Issue 4 "done when": deadline cuts seeks and bounds reads under writes. */
static void test_deadline_wins_where_it_should(void **state)
{
	char dir[] = "/tmp/keel-wl-XXXXXX", path[300];
	double seek_none, seek_dl, rmax_none, rmax_dl;

	gen_workloads(dir);
	snprintf(path, sizeof(path), "%s/randread.trace", dir);
	run_file("--sched none --disk hdd", path);
	seek_none = summary_val("# seek_sectors", NULL);
	run_file("--sched deadline --disk hdd", path);
	seek_dl = summary_val("# seek_sectors", NULL);
	assert_true(seek_dl * 4 < seek_none);

	snprintf(path, sizeof(path), "%s/writeflood.trace", dir);
	run_file("--sched none --disk hdd", path);
	rmax_none = summary_val("# read_latency_us", "max");
	run_file("--sched deadline --disk hdd", path);
	rmax_dl = summary_val("# read_latency_us", "max");
	/* Within read_expire (500 ms) plus a few 64 KiB HDD services. */
	assert_true(rmax_dl < 600000);
	assert_true(rmax_none > 10 * rmax_dl);
	/* Expiry bites: a 50 ms read_expire caps reads lower still. */
	run_file("--sched deadline --disk hdd --read-expire-ms 50", path);
	assert_true(summary_val("# read_latency_us", "max") < rmax_dl);
	system(strcat(strcpy(path, "rm -rf "), dir));
}

/*
 * Keel's rule 10 end to end: two streams of 64 KiB writes offered at 1.7x
 * what the disk writes, and one read at 20 ms inside the eleventh queued
 * write of the stream the sweep leaves for later. The read is held until
 * that write completes; deadline's sweep reaches it after 400 ms, keel
 * serves the write as the read once the read has waited 100 ms (rule 3's
 * cut), and the read goes right after it.
 */
static void test_keel_write_a_held_read_waits_for(void **state)
{
	static char buf[1700 * 32];
	const unsigned long long b = 100000000;
	size_t len = 0;
	double lat[2];
	int r = 0, w = 0, found = 0;

	for (int i = 0; i < 800; i++) {
		if (i == 80) /* 20 ms, in arrival order */
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"20000 R %llu 8\n",
						b + 10 * 128 + 8);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%d W %d 128\n%d W %llu 128\n", i * 250,
					i * 128, i * 250 + 125, b + i * 128ULL);
	}
	for (int k = 0; k < 2; k++) {
		run(k ? "--sched keel --disk hdd" :
			"--sched deadline --disk hdd",
		    buf);
		assert_int_equal(o.status, 0);
		for (int i = 0; i < o.n; i++) {
			if (o.op[i] == 'R') {
				r = i;
				found |= 1;
			}
			if (o.op[i] == 'W' && o.sector[i] == b + 10 * 128) {
				w = i;
				found |= 2;
			}
		}
		assert_int_equal(found, 3);
		lat[k] = o.done[r] - (double)o.arrival[r];
	}
	assert_true(lat[0] > 300000); /* deadline: the sweep's turn */
	assert_true(lat[1] < 130000); /* keel: 100 ms and three services */
	assert_true(lat[1] > 100000); /* not before the cut rule allows */
	assert_true(fabs(o.disp[r] - o.done[w]) < 0.001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lecture_deadline),
		cmocka_unit_test(test_lecture_none),
		cmocka_unit_test(test_lecture_gap_read),
		cmocka_unit_test(test_format_and_comments),
		cmocka_unit_test(test_hdd_model),
		cmocka_unit_test(test_ssd_model),
		cmocka_unit_test(test_merged_requests_share_times),
		cmocka_unit_test(test_merge_cap_2048),
		cmocka_unit_test(test_bad_usage_exits_2),
		cmocka_unit_test(test_rules_hold_in_replay),
		cmocka_unit_test(test_rules_hold_on_bench_workloads),
		cmocka_unit_test(test_deadline_wins_where_it_should),
		cmocka_unit_test(test_keel_write_a_held_read_waits_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
