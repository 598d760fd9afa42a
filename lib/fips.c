/* fips.c: lookups in the Census FIPS county table and the state FIPS codes (names, USPS codes). */
#include "fips.h"

struct state {
	const char *abbr;
	const char *name;
};

/* Indexed by state FIPS code.  0 is the whole country, as SAME uses it. */
static const struct state states[] = {
    [0] = {"US", "United States"},
    [1] = {"AL", "Alabama"},
    [2] = {"AK", "Alaska"},
    [4] = {"AZ", "Arizona"},
    [5] = {"AR", "Arkansas"},
    [6] = {"CA", "California"},
    [8] = {"CO", "Colorado"},
    [9] = {"CT", "Connecticut"},
    [10] = {"DE", "Delaware"},
    [11] = {"DC", "District of Columbia"},
    [12] = {"FL", "Florida"},
    [13] = {"GA", "Georgia"},
    [15] = {"HI", "Hawaii"},
    [16] = {"ID", "Idaho"},
    [17] = {"IL", "Illinois"},
    [18] = {"IN", "Indiana"},
    [19] = {"IA", "Iowa"},
    [20] = {"KS", "Kansas"},
    [21] = {"KY", "Kentucky"},
    [22] = {"LA", "Louisiana"},
    [23] = {"ME", "Maine"},
    [24] = {"MD", "Maryland"},
    [25] = {"MA", "Massachusetts"},
    [26] = {"MI", "Michigan"},
    [27] = {"MN", "Minnesota"},
    [28] = {"MS", "Mississippi"},
    [29] = {"MO", "Missouri"},
    [30] = {"MT", "Montana"},
    [31] = {"NE", "Nebraska"},
    [32] = {"NV", "Nevada"},
    [33] = {"NH", "New Hampshire"},
    [34] = {"NJ", "New Jersey"},
    [35] = {"NM", "New Mexico"},
    [36] = {"NY", "New York"},
    [37] = {"NC", "North Carolina"},
    [38] = {"ND", "North Dakota"},
    [39] = {"OH", "Ohio"},
    [40] = {"OK", "Oklahoma"},
    [41] = {"OR", "Oregon"},
    [42] = {"PA", "Pennsylvania"},
    [44] = {"RI", "Rhode Island"},
    [45] = {"SC", "South Carolina"},
    [46] = {"SD", "South Dakota"},
    [47] = {"TN", "Tennessee"},
    [48] = {"TX", "Texas"},
    [49] = {"UT", "Utah"},
    [50] = {"VT", "Vermont"},
    [51] = {"VA", "Virginia"},
    [53] = {"WA", "Washington"},
    [54] = {"WV", "West Virginia"},
    [55] = {"WI", "Wisconsin"},
    [56] = {"WY", "Wyoming"},
    [60] = {"AS", "American Samoa"},
    [66] = {"GU", "Guam"},
    [69] = {"MP", "Northern Mariana Islands"},
    [72] = {"PR", "Puerto Rico"},
    [74] = {"UM", "U.S. Minor Outlying Islands"},
    [78] = {"VI", "U.S. Virgin Islands"},
};

#define NSTATES (sizeof states / sizeof states[0])

const struct eas_fips_county *eas_fips_county(int state, int county)
{
	size_t lo = 0, hi = eas_fips_ncounties;
	long key = (long)state * 1000 + county;

	if (state < 0 || state > 99 || county < 0 || county > 999)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct eas_fips_county *c = &eas_fips_counties[mid];
		long k = (long)c->state * 1000 + c->county;
		if (k == key)
			return c;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *eas_fips_name(const struct eas_fips_county *c)
{
	return EAS_FIPS_STR(c->name);
}

const char *eas_fips_st(const struct eas_fips_county *c)
{
	return c->kind == EAS_PLACE_MARINE ? NULL : eas_fips_state_abbr(c->state);
}

const char *eas_fips_state_abbr(int state)
{
	if (state < 0 || (size_t)state >= NSTATES)
		return NULL;
	return states[state].abbr;
}

const char *eas_fips_state_name(int state)
{
	if (state < 0 || (size_t)state >= NSTATES)
		return NULL;
	return states[state].name;
}
