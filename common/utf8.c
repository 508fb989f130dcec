/* utf8.c: UTF-8 validation. A character is one byte below 0x80, or a lead byte that says how
 * many continuation bytes (10xxxxxx) follow, 1 to 3. */
#include "utf8.h"

bool utf8_valid(const unsigned char *s, size_t len)
{
	/* The smallest code point that needs N continuation bytes: below it, the form is overlong. */
	static const unsigned least[] = { 0, 0x80, 0x800, 0x10000 };
	for (size_t i = 0; i < len;) {
		unsigned c = s[i], cp;
		size_t n;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (n >= len - i)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}
