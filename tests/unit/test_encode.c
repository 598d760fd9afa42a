/* test_encode.c: unit tests of the SAME modulator (lib/same_encode.c): timing, phase, frequencies.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "same_encode.h"
#include "t.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const unsigned rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000};
#define NRATES (sizeof rates / sizeof rates[0])

static const char *hdr = "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-";

/* Modulate LEN bytes of DATA with a fresh modulator; *N gets the sample count. */
static int16_t *burst(unsigned rate, const char *data, size_t len, size_t *n)
{
	struct same_mod m;
	int16_t *buf;

	same_mod_init(&m, rate, 0.5);
	*n = same_mod_burst(&m, data, len, NULL, 0);
	buf = malloc(*n * sizeof *buf + 1);
	if (buf && same_mod_burst(&m, data, len, buf, *n) != *n) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Frequency from the zero crossings of BUF[from..to), interpolated between samples. */
static double zc_freq(const int16_t *buf, size_t from, size_t to, unsigned rate)
{
	double first = -1, last = -1;
	long count = 0;

	for (size_t i = from + 1; i < to; i++) {
		double a = buf[i - 1], b = buf[i];
		if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) {
			double t = (i - 1) + a / (a - b);
			if (first < 0)
				first = t;
			last = t;
			count++;
		}
	}
	if (count < 2)
		return 0;
	return (count - 1) / 2.0 / ((last - first) / rate);
}

static void test_sample_counts(void)
{
	const char *data[] = {hdr, "NNNN", ""};

	for (size_t r = 0; r < NRATES; r++) {
		for (size_t d = 0; d < 3; d++) {
			size_t len = strlen(data[d]), n;
			struct same_mod m;
			double want = 8.0 * (16 + len) * rates[r] / (3125.0 / 6);

			same_mod_init(&m, rates[r], 0.5);
			n = same_mod_burst(&m, data[d], len, NULL, 0);
			CHECK(fabs((double)n - want) <= 1.0);
		}
	}
}

/* Sizing does not change the state; a too-small buffer writes nothing. */
static void test_sizing(void)
{
	struct same_mod m, before;
	int16_t small[10] = {0};
	size_t n1, n2;

	same_mod_init(&m, 22050, 0.5);
	before = m;
	n1 = same_mod_burst(&m, "NNNN", 4, NULL, 0);
	n2 = same_mod_burst(&m, "NNNN", 4, small, 10);
	CHECK(n1 == n2);
	CHECK(memcmp(&m, &before, sizeof m) == 0);
	CHECK(small[0] == 0 && small[9] == 0);
	CHECK(same_mod_tone(&m, 1050, 0, 100, NULL, 0) == 100);
	CHECK(same_mod_silence(&m, 100, small, 10) == 100);
	CHECK(memcmp(&m, &before, sizeof m) == 0);
	CHECK(same_mod_samples(&m, 1.0) == 22050);
	CHECK(same_mod_samples(&m, 8.0) == 8 * 22050);
	CHECK(same_mod_samples(&m, -1) == 0);
}

/* Timing is exact over many bursts: the carry keeps the total at floor(bits * rate / baud). */
static void test_no_drift(void)
{
	for (size_t r = 0; r < NRATES; r++) {
		struct same_mod m;
		size_t total = 0, len = strlen(hdr);
		int16_t *buf;
		uint64_t bits = 0;

		same_mod_init(&m, rates[r], 0.5);
		buf = malloc(same_mod_burst(&m, hdr, len, NULL, 0) * sizeof *buf + 16);
		for (int i = 0; i < 100; i++) {
			size_t n = same_mod_burst(&m, hdr, len, NULL, 0);
			total += same_mod_burst(&m, hdr, len, buf, n + 1);
			bits += 8 * (16 + len);
		}
		CHECK(total == bits * 6 * rates[r] / 3125);
		free(buf);
	}
}

/* Peak amplitude is the one asked for, and consecutive samples never jump more than the
 * highest frequency allows (continuous phase: |ds| <= 2*pi*f/rate * A). */
static void test_phase_continuity(void)
{
	for (size_t r = 0; r < NRATES; r++) {
		unsigned rate = rates[r];
		size_t n;
		int16_t *buf = burst(rate, hdr, strlen(hdr), &n);
		double a = 0.5 * 32767, lim = 2 * M_PI * SAME_MARK_HZ / rate * a + 2;
		double maxjump = 0;
		int peak = 0;

		CHECK(buf != NULL);
		if (!buf)
			continue;
		for (size_t i = 1; i < n; i++) {
			double j = fabs((double)buf[i] - buf[i - 1]);
			if (j > maxjump)
				maxjump = j;
			if (abs(buf[i]) > peak)
				peak = abs(buf[i]);
		}
		CHECK(maxjump <= lim);
		CHECK(peak <= 16384 && peak >= 15000);
		free(buf);
	}

	/* Across two bursts from the same modulator, the join is continuous too. */
	struct same_mod m;
	int16_t *buf = malloc(200000 * sizeof *buf);
	size_t n1, n2;
	same_mod_init(&m, 48000, 0.5);
	n1 = same_mod_burst(&m, "NNNN", 4, buf, 200000);
	n2 = same_mod_burst(&m, "NNNN", 4, buf + n1, 200000 - n1);
	CHECK(n1 > 0 && n2 > 0);
	CHECK(fabs((double)buf[n1] - buf[n1 - 1]) <= 2 * M_PI * SAME_MARK_HZ / 48000 * 16384 + 2);
	free(buf);
}

/* A long run of 0xFF is the mark, of 0x00 the space, whatever the rate. */
static void test_frequencies(void)
{
	size_t len = 1000; /* 8000 bits = 15.36 s */
	char *ff = malloc(len), *zz = malloc(len);

	memset(ff, 0xFF, len);
	memset(zz, 0x00, len);
	for (size_t r = 0; r < NRATES; r++) {
		unsigned rate = rates[r];
		size_t n, skip = (size_t)(16 * 8 * 6.0 * rate / 3125) + 2;
		int16_t *b1 = burst(rate, ff, len, &n), *b0;
		double f1 = b1 ? zc_freq(b1, skip, n, rate) : 0, f0;

		b0 = burst(rate, zz, len, &n);
		f0 = b0 ? zc_freq(b0, skip, n, rate) : 0;
		CHECK(fabs(f1 - 2083.3333) < 1.0);
		CHECK(fabs(f0 - 1562.5) < 1.0);
		if (fabs(f1 - 2083.3333) >= 1.0 || fabs(f0 - 1562.5) >= 1.0)
			fprintf(stderr, "rate %u: mark %.3f space %.3f\n", rate, f1, f0);
		free(b1);
		free(b0);
	}
	free(ff);
	free(zz);
}

/* Bits go out LSB first: 0x01 starts with a mark bit then seven space bits. */
static void test_lsb_first(void)
{
	unsigned rate = 48000;
	size_t n, pre = (size_t)(16 * 8 * 6.0 * rate / 3125), bit = (size_t)(6.0 * rate / 3125);
	char d[1] = {0x01};
	int16_t *b = burst(rate, d, 1, &n);
	double fm, fs;

	CHECK(b != NULL);
	if (!b)
		return;
	fm = zc_freq(b, pre + 2, pre + bit - 2, rate);
	fs = zc_freq(b, pre + bit + 2, n, rate);
	CHECK(fabs(fm - SAME_MARK_HZ) < 60);
	CHECK(fabs(fs - SAME_SPACE_HZ) < 20);
	free(b);
}

static void test_tones(void)
{
	struct same_mod m;
	unsigned rate = 22050;
	size_t n = rate * 2;
	int16_t *b = malloc(n * sizeof *b);
	int peak = 0;

	same_mod_init(&m, rate, 0.5);
	/* In two chunks: the phase carries over. */
	same_mod_tone(&m, 1050, 0, n / 2, b, n);
	same_mod_tone(&m, 1050, 0, n - n / 2, b + n / 2, n);
	CHECK(fabs(zc_freq(b, 0, n, rate) - 1050) < 0.5);
	CHECK(fabs((double)b[n / 2] - b[n / 2 - 1]) <= 2 * M_PI * 1050 / rate * 16384 + 2);

	same_mod_tone_reset(&m);
	same_mod_tone(&m, 853, 960, n, b, n);
	for (size_t i = 0; i < n; i++)
		if (abs(b[i]) > peak)
			peak = abs(b[i]);
	CHECK(peak <= 16384 && peak > 15000);
	CHECK(b[0] == 0);

	same_mod_silence(&m, n, b, n);
	CHECK(b[0] == 0 && b[n - 1] == 0);
	free(b);
}

int main(void)
{
	test_sample_counts();
	test_sizing();
	test_no_drift();
	test_phase_continuity();
	test_frequencies();
	test_lsb_first();
	test_tones();
	return t_done("test_encode");
}
