/* sealed.c: run mydocker from a sealed copy of itself before it enters a container
 * (CVE-2019-5736).
 *
 * The attack: `exec` forks a child inside the container's namespaces, and until that child
 * calls execve it is mydocker. A process in the container that sees it can open
 * /proc/CHILD/exe, which is mydocker's binary on the host, and, once the child has moved on to
 * the command, write through that descriptor: the next mydocker any user runs is the
 * attacker's. Two defences, as runc has them:
 *
 *   non-dumpable   prctl(PR_SET_DUMPABLE, 0): /proc/PID/exe of such a process can only be
 *                  opened by a process that may ptrace it, which root in a container, without
 *                  CAP_SYS_PTRACE, may not (exec.c)
 *   sealed copy    here: the binary the child runs is a memfd, a file in memory that no path
 *                  names, sealed so that no one, not even its owner, can ever write to it. Even
 *                  a --privileged container, which may ptrace, only reaches that copy.
 *
 * The copy costs a read and a write of the static binary (about 2 MB) per `exec`; `run` does
 * not need it: its container's processes never see a process that is mydocker, since init is
 * the first process of the new PID namespace and becomes the command before any other. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "sealed.h"

/* Every seal: no more seals, no shrinking, no growing, no writing. */
#define ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Is this process running from a sealed memfd already (the copy, after fexecve)? */
static int running_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int seals = fcntl(fd, F_GET_SEALS);
	close(fd);
	return seals >= 0 && (seals & ALL_SEALS) == ALL_SEALS;
}

/* A sealed memfd holding a copy of this binary, or -1 after saying why. */
static int sealed_copy(void)
{
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int copy = memfd_create("mydocker", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	int rc = exe < 0 || copy < 0 || fstat(exe, &st) < 0 ? -1 : 0;
	for (off_t done = 0; rc == 0 && done < st.st_size;) {
		ssize_t n = sendfile(copy, exe, NULL, st.st_size - done);
		if (n <= 0)
			rc = -1, errno = n == 0 ? EIO : errno;
		done += n;
	}
	if (rc == 0)
		rc = fcntl(copy, F_ADD_SEALS, ALL_SEALS);
	int err = errno;
	if (exe >= 0)
		close(exe);
	if (rc < 0) {
		warn("make a sealed copy of mydocker's binary: %s", strerror(err));
		if (copy >= 0)
			close(copy);
		return -1;
	}
	return copy;
}

void run_sealed(char **argv)
{
	int sealed = running_sealed();
	if (sealed == 1)
		return;
	if (sealed < 0) {
		warn_errno("open /proc/self/exe");
		exit(EXIT_RUNTIME);
	}
	int copy = sealed_copy();
	if (copy < 0)
		exit(EXIT_RUNTIME);
	/* The same command line, from the copy; the memfd is close-on-exec, so the new program
	 * holds it only as its /proc/self/exe. */
	extern char **environ;
	fexecve(copy, argv, environ);
	warn_errno("run the sealed copy of mydocker's binary");
	exit(EXIT_RUNTIME);
}
