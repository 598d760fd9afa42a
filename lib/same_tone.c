/* same_tone.c: the SAME decoder's attention-tone detector: Goertzel bins at 853, 960 and 1050 Hz
 * on the input decimated to about 4 kHz (no I/O). */
#include <math.h>
#include <string.h>

#include "same_decode_int.h"

void same_tone_init(struct tone_det *t, double rate)
{
	/* attention tones: 853, 960, 1050 Hz (a sender's clock may be a few per
	 * cent off) and two reference bins, on the input decimated to ~4 kHz */
	static const double tf[3] = {853, 960, 1050};
	t->dec = (int)rate / 4000;
	double fsd = rate / t->dec;
	t->block = (int)lround(fsd * 0.05);
	for (int i = 0; i < 9; i++)
		t->coef[i] = 2 * cos(2 * M_PI * tf[i / 3] * (0.975 + 0.025 * (i % 3)) / fsd);
	t->coef[9] = 2 * cos(2 * M_PI * 650 / fsd);
	t->coef[10] = 2 * cos(2 * M_PI * 1350 / fsd);
}

void same_tone_finish(struct same_decoder *d)
{
	struct tone_det *t = &d->td;
	double dur = t->run * (double)(t->block * t->dec) / d->fs;
	if (t->cur && dur >= 2.0) {
		struct same_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = SAME_EV_ATTENTION;
		ev.sample = t->start;
		ev.duration_s = dur;
		ev.tone = t->cur == 1 ? "853+960" : "1050";
		same_push_event(d, &ev);
	}
	t->cur = 0;
	t->run = 0;
	t->miss = 0;
}

void same_tone_block(struct same_decoder *d)
{
	struct tone_det *t = &d->td;
	double pw[NTB], tp[3] = {0, 0, 0};
	for (int i = 0; i < NTB; i++) {
		pw[i] =
		    t->s1[i] * t->s1[i] + t->s2[i] * t->s2[i] - t->coef[i] * t->s1[i] * t->s2[i];
		t->s1[i] = t->s2[i] = 0;
	}
	for (int i = 0; i < 9; i++)
		tp[i / 3] = fmax(tp[i / 3], pw[i]);
	double ref = fmax(pw[9], pw[10]) + 1e-9 * t->block * t->block * t->dec * t->dec;
	int type = 0;
	if (tp[0] > 8 * ref && tp[1] > 8 * ref && tp[0] < 10 * tp[1] && tp[1] < 10 * tp[0] &&
	    tp[2] < 0.25 * fmin(tp[0], tp[1])) /* not the skirts of a strong 1050 Hz */
		type = 1;
	else if (tp[2] > 8 * ref && tp[2] > 8 * (tp[0] + tp[1]))
		type = 2;
	if (type && type == t->cur) {
		t->run += 1 + t->miss;
		t->miss = 0;
	} else if (t->cur && ++t->miss <= 3) {
		/* a short gap: keep the run */
	} else {
		if (t->cur)
			same_tone_finish(d);
		if (type) {
			t->cur = type;
			t->run = 1;
			/* the tone fills at least about half of its first detected block */
			uint64_t back = (uint64_t)(t->block * t->dec) * 3 / 4;
			t->start = d->nsamp > back ? d->nsamp - back : 0;
		}
	}
}
