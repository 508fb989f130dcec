/* util.h: small file, path and string helpers with no container concept in them. */
#ifndef MYDOCKER_UTIL_H
#define MYDOCKER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Memory: these never return NULL; they die when memory runs out. */
void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Files. Return 0 (or a length) on success, -1 with errno set on failure. */
int write_file(const char *path, const char *text);
int write_file_atomic(const char *path, const char *text);
ssize_t read_file(const char *path, char *buf, size_t size);
int mkdir_p(const char *path, mode_t mode);
int remove_tree(const char *path);
char *path_join(const char *dir, const char *name);
char *self_dir(void);
char *path_absolute(const char *path);

/* Descriptors: whole buffers in spite of short reads and writes and EINTR. */
int write_all(int fd, const void *buf, size_t len);
char *read_all(int fd, size_t *len);
char *read_at_most(int fd, size_t max, size_t *len);
void close_fd(int *fd);

/* Programs. */
int run_quietly(const char *path, char *const argv[], int dir_fd, char *why, size_t size);

/* Strings. */
bool str_starts_with(const char *s, const char *prefix);
char *str_trim(char *s);
int parse_long(const char *s, long long min, long long max, long long *out);
void random_hex(char *buf, size_t len);

#endif
