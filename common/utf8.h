/* utf8.h: checking that bytes are UTF-8 text. Plumbing, no container concept. */
#ifndef MYDOCKER_UTF8_H
#define MYDOCKER_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Is S[0..LEN) valid UTF-8: no stray or missing continuation byte, no overlong form, no
 * surrogate, nothing above U+10FFFF? As Go's utf8.Valid, which Docker uses. */
bool utf8_valid(const unsigned char *s, size_t len);

#endif
