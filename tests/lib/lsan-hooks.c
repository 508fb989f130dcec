/* lsan-hooks.c: linked into the sanitized builds only (`make sanitize`, with -Wl,--wrap=setns):
 * where LeakSanitizer's check at exit cannot work, it is made to run earlier or not at all.
 * LSan stops the process's threads with ptrace and reads its /proc/self; it fails with a fatal
 * error, and a non-zero exit, in a process that is being traced or whose /proc is not its own. */
#include <fcntl.h>
#include <sanitizer/lsan_interface.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int __real_setns(int fd, int nstype);
int __wrap_setns(int fd, int nstype);

/* `mydocker exec` exits inside the container's namespaces, where it has neither its /proc nor
 * the host's files for a report. So the check runs once, just before the process first calls
 * setns(), and not again at exit: what it allocates after that (it only waits for the command)
 * is not checked. */
int __wrap_setns(int fd, int nstype)
{
	static int checked;
	if (!checked) {
		checked = 1;
		__lsan_do_leak_check();
	}
	return __real_setns(fd, nstype);
}

/* LSan asks this before every check. A test runs mydocker under strace to make one system call
 * fail; a traced process cannot be checked (ptrace is taken), so it is not. No allocation here:
 * LSan calls it while it holds its own locks. */
int __lsan_is_turned_off(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 1; /* not its own /proc: LSan could not check it either */
	buf[n] = '\0';
	const char *tracer = strstr(buf, "\nTracerPid:");
	return tracer && atoi(tracer + strlen("\nTracerPid:")) != 0;
}
