/* json.h: the one JSON writer of eas-tools: builds one object in a growable buffer, no I/O. */
#ifndef EAS_JSON_H
#define EAS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Usage:
 *   struct eas_json j; eas_json_init(&j);
 *   eas_json_obj_begin(&j);
 *   eas_json_key_str(&j, "type", "alert");
 *   eas_json_key(&j, "locations"); eas_json_arr_begin(&j); ... eas_json_arr_end(&j);
 *   eas_json_obj_end(&j);
 *   fwrite(j.buf, 1, j.len, stdout);   (j.buf is NUL-terminated)
 *   eas_json_free(&j);
 * Commas are placed automatically.  On allocation failure j.oom is set and
 * further calls do nothing; check it before using the buffer.
 */
struct eas_json {
	char *buf;
	size_t len, cap;
	int depth;
	bool need_comma[32];
	bool after_key;
	bool oom;
};

void eas_json_init(struct eas_json *j);
void eas_json_reset(struct eas_json *j); /* empty the buffer, keep the memory */
void eas_json_free(struct eas_json *j);

void eas_json_obj_begin(struct eas_json *j);
void eas_json_obj_end(struct eas_json *j);
void eas_json_arr_begin(struct eas_json *j);
void eas_json_arr_end(struct eas_json *j);
void eas_json_key(struct eas_json *j, const char *key);

/* Values (in an array, or after eas_json_key). Strings are escaped; invalid
 * UTF-8 bytes are replaced by U+FFFD. */
void eas_json_str(struct eas_json *j, const char *s);
void eas_json_strn(struct eas_json *j, const char *s, size_t n);
void eas_json_int(struct eas_json *j, int64_t v);
void eas_json_num(struct eas_json *j, double v, int decimals); /* non-finite -> null */
void eas_json_bool(struct eas_json *j, bool v);
void eas_json_null(struct eas_json *j);
void eas_json_raw(struct eas_json *j, const char *text); /* already-valid JSON text */

/* Shorthands for key + value. */
void eas_json_key_str(struct eas_json *j, const char *key, const char *s);
void eas_json_key_int(struct eas_json *j, const char *key, int64_t v);
void eas_json_key_num(struct eas_json *j, const char *key, double v, int decimals);
void eas_json_key_bool(struct eas_json *j, const char *key, bool v);

#endif
