/* json.c: the one JSON writer of eas-tools (buffer only; the caller writes the line). */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eas_json_init(struct eas_json *j)
{
	memset(j, 0, sizeof *j);
}

void eas_json_reset(struct eas_json *j)
{
	char *b = j->buf;
	size_t cap = j->cap;
	memset(j, 0, sizeof *j);
	j->buf = b;
	j->cap = cap;
	if (b)
		b[0] = '\0';
}

void eas_json_free(struct eas_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof *j);
}

static void put(struct eas_json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		while (j->len + n + 1 > cap)
			cap *= 2;
		char *nb = realloc(j->buf, cap);
		if (!nb) {
			j->oom = true;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct eas_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Comma before a value or key when it is not the first in its container. */
static void sep(struct eas_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->depth < 32) {
		if (j->need_comma[j->depth])
			put(j, ",", 1);
		j->need_comma[j->depth] = true;
	}
}

static void open_(struct eas_json *j, const char *c)
{
	sep(j);
	puts_(j, c);
	j->depth++;
	if (j->depth < 32)
		j->need_comma[j->depth] = false;
}

static void close_(struct eas_json *j, const char *c)
{
	puts_(j, c);
	if (j->depth > 0)
		j->depth--;
}

void eas_json_obj_begin(struct eas_json *j)
{
	open_(j, "{");
}
void eas_json_obj_end(struct eas_json *j)
{
	close_(j, "}");
}
void eas_json_arr_begin(struct eas_json *j)
{
	open_(j, "[");
}
void eas_json_arr_end(struct eas_json *j)
{
	close_(j, "]");
}

static void str_body(struct eas_json *j, const unsigned char *s, size_t n)
{
	put(j, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			const char *e = c == '\n'   ? "\\n"
			                : c == '\r' ? "\\r"
			                : c == '\t' ? "\\t"
			                            : NULL;
			if (e)
				puts_(j, e);
			else {
				snprintf(esc, sizeof esc, "\\u%04x", c);
				puts_(j, esc);
			}
			i++;
		} else if (c < 0x80) {
			put(j, (const char *)&s[i], 1);
			i++;
		} else {
			/* Validate one UTF-8 sequence; replace invalid bytes. */
			size_t len = c >= 0xf0 && c <= 0xf4  ? 4
			             : c >= 0xe0             ? 3
			             : c >= 0xc2 && c < 0xe0 ? 2
			                                     : 0;
			size_t k = 1;
			/* The second byte's range rules out overlong forms, UTF-16
			 * surrogates and code points past U+10FFFF. */
			unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
			unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
			if (len && c < 0xf8 && i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi) {
				k = 2;
				while (k < len && i + k < n && (s[i + k] & 0xc0) == 0x80)
					k++;
			}
			if (len && k == len && c < 0xf5) {
				put(j, (const char *)&s[i], len);
				i += len;
			} else {
				puts_(j, "\xef\xbf\xbd");
				i++;
			}
		}
	}
	put(j, "\"", 1);
}

void eas_json_key(struct eas_json *j, const char *key)
{
	sep(j);
	str_body(j, (const unsigned char *)key, strlen(key));
	put(j, ":", 1);
	j->after_key = true;
}

void eas_json_strn(struct eas_json *j, const char *s, size_t n)
{
	sep(j);
	str_body(j, (const unsigned char *)s, n);
}

void eas_json_str(struct eas_json *j, const char *s)
{
	if (!s) {
		eas_json_null(j);
		return;
	}
	eas_json_strn(j, s, strlen(s));
}

void eas_json_int(struct eas_json *j, int64_t v)
{
	char b[32];
	sep(j);
	snprintf(b, sizeof b, "%" PRId64, v);
	puts_(j, b);
}

void eas_json_num(struct eas_json *j, double v, int decimals)
{
	char b[352]; /* room for DBL_MAX in full with 17 decimals */
	if (!isfinite(v)) {
		eas_json_null(j);
		return;
	}
	sep(j);
	snprintf(b, sizeof b, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
	if (strcmp(b, "-0") == 0 || (b[0] == '-' && strspn(b + 1, "0.") == strlen(b + 1)))
		memmove(b, b + 1, strlen(b)); /* no negative zero */
	puts_(j, b);
}

void eas_json_bool(struct eas_json *j, bool v)
{
	sep(j);
	puts_(j, v ? "true" : "false");
}

void eas_json_null(struct eas_json *j)
{
	sep(j);
	puts_(j, "null");
}

void eas_json_raw(struct eas_json *j, const char *text)
{
	sep(j);
	puts_(j, text);
}

void eas_json_key_str(struct eas_json *j, const char *key, const char *s)
{
	eas_json_key(j, key);
	eas_json_str(j, s);
}

void eas_json_key_int(struct eas_json *j, const char *key, int64_t v)
{
	eas_json_key(j, key);
	eas_json_int(j, v);
}

void eas_json_key_num(struct eas_json *j, const char *key, double v, int decimals)
{
	eas_json_key(j, key);
	eas_json_num(j, v, decimals);
}

void eas_json_key_bool(struct eas_json *j, const char *key, bool v)
{
	eas_json_key(j, key);
	eas_json_bool(j, v);
}
