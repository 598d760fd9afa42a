/* sign.c: eas-ctl's message signature: HMAC-SHA256 over the exact bytes sent, checked in
 * constant time, and random command ids (getrandom(2)).  No I/O. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ctl.h"
#include "lines.h"

/* The fixed tail of a signed message: ,"sig":"<64 hex>"} */
#define TAIL_HEAD ",\"" EAS_CF_SIG "\":\""
#define TAIL_LEN  (sizeof TAIL_HEAD - 1 + CTL_SIG_HEX + 2)

static void to_hex(const unsigned char *b, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
}

int ctl_hmac_hex(const struct ctl_key *key, const char *msg, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!key || !key->len || key->len > CTL_KEY_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key->key, (int)key->len, (const unsigned char *)msg, len, md,
	          &mdlen) ||
	    mdlen != CTL_SIG_HEX / 2)
		return -1;
	to_hex(md, mdlen, hex);
	return 0;
}

int ctl_sign(struct eas_json *j, const struct ctl_key *key)
{
	char hex[CTL_SIG_HEX + 1];
	if (j->oom || ctl_hmac_hex(key, j->buf, j->len, hex) < 0)
		return -1;
	eas_json_key_str(j, EAS_CF_SIG, hex);
	eas_json_obj_end(j);
	return j->oom ? -1 : 0;
}

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

enum ctl_sig ctl_sig_check(const struct ctl_key *key, const char *msg, size_t len)
{
	if (len < TAIL_LEN + 1)
		return CTL_SIG_NONE;
	const char *tail = msg + len - TAIL_LEN;
	const char *sig = tail + sizeof TAIL_HEAD - 1;
	if (memcmp(tail, TAIL_HEAD, sizeof TAIL_HEAD - 1) != 0 || !is_lower_hex(sig, CTL_SIG_HEX) ||
	    sig[CTL_SIG_HEX] != '"' || sig[CTL_SIG_HEX + 1] != '}')
		return CTL_SIG_NONE;
	char want[CTL_SIG_HEX + 1];
	if (ctl_hmac_hex(key, msg, (size_t)(tail - msg), want) < 0)
		return CTL_SIG_BAD;
	return CRYPTO_memcmp(want, sig, CTL_SIG_HEX) == 0 ? CTL_SIG_OK : CTL_SIG_BAD;
}

int ctl_new_id(char *id)
{
	unsigned char b[16];
	/* the kernel's CSPRNG: an unsigned sender then never starts up libcrypto */
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return -1;
	to_hex(b, sizeof b, id);
	return 0;
}
