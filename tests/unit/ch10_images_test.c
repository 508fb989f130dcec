/* ch10_images_test.c: unit tests (cmocka) for human_size() of images.c, the SIZE column of
 * `docker images` (go-units' HumanSizeWithPrecision with 3 digits, decimal units), and for
 * image_ref() of image.c, Docker's NAME[:TAG] and the files it names. Built against every
 * chapter from ch10 on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "image.h"
#include "images.h"

static void test_human_size(void **state)
{
	(void)state;
	static const struct {
		double bytes;
		const char *text;
	} cases[] = {
		{ 0, "0B" },	       { 512, "512B" },	      { 999, "999B" },
		{ 1000, "1kB" },       { 12345, "12.3kB" },   { 3072000, "3.07MB" },
		{ 4260000, "4.26MB" }, { 1000000000, "1GB" }, { 1234567890123, "1.23TB" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		human_size(cases[i].bytes, buf, sizeof buf);
		assert_string_equal(buf, cases[i].text);
	}
}

static void test_image_ref(void **state)
{
	(void)state;
	static const struct {
		const char *text, *name, *tag, *file, *copies;
	} good[] = {
		{ "busybox", "busybox", "latest", "busybox.tar", "busybox" },
		{ "busybox:latest", "busybox", "latest", "busybox.tar", "busybox" },
		{ "app:v2", "app", "v2", "app:v2.tar", "app@v2" },
		{ "My_app.1:_1.0-rc", "My_app.1", "_1.0-rc", "My_app.1:_1.0-rc.tar",
		  "My_app.1@_1.0-rc" },
	};
	struct image_ref r;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(image_ref(good[i].text, &r), 0);
		assert_string_equal(r.name, good[i].name);
		assert_string_equal(r.tag, good[i].tag);
		assert_string_equal(r.file, good[i].file);
		assert_string_equal(r.copies, good[i].copies);
	}
	char longest[2 * IMAGE_NAME_MAX + 2], too_long[2 * IMAGE_NAME_MAX + 3];
	memset(longest, 'x', sizeof longest - 1);
	longest[IMAGE_NAME_MAX] = ':';
	longest[sizeof longest - 1] = '\0';
	assert_int_equal(image_ref(longest, &r), 0);
	memcpy(too_long, longest, sizeof longest - 1);
	strcpy(too_long + sizeof longest - 1, "x");
	assert_int_equal(image_ref(too_long, &r), -1);
	static const char *bad[] = { "",       "app:",	  ":v2",    "app:v2:x", "app:-v",
				     "app:.v", "app:a/b", "a/b:v2", ".app",	"app:a b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(image_ref(bad[i], &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_image_ref),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
