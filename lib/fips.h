/* fips.h: the Census FIPS county table (generated at build time) and its lookup. */
#ifndef EAS_FIPS_H
#define EAS_FIPS_H

#include <stddef.h>

struct eas_fips_county {
	unsigned short state;  /* state FIPS code, 1..78 */
	unsigned short county; /* county FIPS code, 1..999 */
	const char *st;        /* USPS abbreviation, "OH" */
	const char *name;      /* "Cuyahoga County" */
};

/* Sorted by (state, county). */
extern const struct eas_fips_county eas_fips_counties[];
extern const size_t eas_fips_ncounties;

/* The county with these codes, or NULL when the table has none. */
const struct eas_fips_county *eas_fips_county(int state, int county);

/* USPS abbreviation and full name of a state FIPS code; NULL when unknown. */
const char *eas_fips_state_abbr(int state);
const char *eas_fips_state_name(int state);

#endif
