/* lsan-setns.c: linked into the sanitized builds only (`make sanitize`, with -Wl,--wrap=setns).
 * LeakSanitizer looks for leaks when a process exits, and needs the process's own /proc/self
 * and the host's file system for that and for its report. `mydocker exec` exits inside the
 * container's namespaces, where it has neither: LSan fails there, or spins. So in a sanitized
 * build the check runs once, just before the process first calls setns(), and then not again at
 * exit; what the process allocates after that (it only waits for the command) is not checked. */
#include <sanitizer/lsan_interface.h>

int __real_setns(int fd, int nstype);
int __wrap_setns(int fd, int nstype);

int __wrap_setns(int fd, int nstype)
{
	static int checked;
	if (!checked) {
		checked = 1;
		__lsan_do_leak_check();
	}
	return __real_setns(fd, nstype);
}
