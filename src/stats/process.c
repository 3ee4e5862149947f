/*
 * process.c -- the process_* metrics from Linux's /proc, named and
 * measured as the Prometheus client libraries do.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stats/metrics.h"

static uint64_t
count_fds(void)
{
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	/* the directory's own descriptor was open while we counted */
	return n > 0 ? n - 1 : 0;
}

void
stats_process_read(struct stats_process *p)
{
	unsigned long long vpages = 0, rpages = 0;
	long page = sysconf(_SC_PAGESIZE);
	struct rusage ru;
	struct rlimit rl;
	FILE *f;

	memset(p, 0, sizeof(*p));
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		p->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return;
	if (fscanf(f, "%llu %llu", &vpages, &rpages) != 2) {
		fclose(f);
		return;
	}
	fclose(f);
	p->virtual_bytes = vpages * (uint64_t)(page > 0 ? page : 4096);
	p->resident_bytes = rpages * (uint64_t)(page > 0 ? page : 4096);
	p->open_fds = count_fds();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		p->max_fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	p->ok = true;
}
