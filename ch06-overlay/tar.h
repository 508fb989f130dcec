/* tar.h: unpack an image tarball without ever writing outside the target directory. */
#ifndef MYDOCKER_TAR_H
#define MYDOCKER_TAR_H

#include <stddef.h>

int tar_extract(int fd, const char *dest, char *err, size_t errlen);

#endif
