/* fips.h: the table of places SAME location codes name (generated at build time) and its lookup. */
#ifndef EAS_FIPS_H
#define EAS_FIPS_H

#include <stddef.h>

enum eas_place_kind {
	EAS_PLACE_COUNTY = 0, /* a county-equivalent: county, parish, borough, planning region... */
	EAS_PLACE_MARINE = 1, /* an NWS coastal or Great Lakes marine zone */
};

/*
 * One place.  A SAME location code PSSCCC names a county-equivalent with SS the state FIPS code
 * and CCC the county FIPS code, or a marine zone with P = 0, SS the NWS marine area (57..98, in
 * place of a state: 77 the Gulf of Mexico, 91 Lake Superior...) and CCC the zone number
 * (NWSI 10-1712).  Sources and rules: data/PROVENANCE.md, scripts/gen-fips.awk.
 */
struct eas_fips_county {
	unsigned short state;       /* state FIPS code 1..78, or marine area 57..98 */
	unsigned short county;      /* county FIPS code or marine zone number, 1..999 */
	unsigned char kind;         /* enum eas_place_kind */
	unsigned char retired;      /* 1: a code Census dropped that transmitters may still send */
	unsigned int name;          /* in eas_fips_strings: UTF-8, "Cuyahoga County", "Doña Ana
	                               County", "Duluth MN to Port Wing WI" */
	unsigned int ugc;           /* marine: the NWS zone, "GMZ650"; else 0 (the empty string) */
	unsigned int superseded_by; /* retired: GEOIDs of its successors, "46102" or "02063 02066";
	                               0 when it has none (Connecticut's counties) or is current */
};
/* The table holds offsets into this one string, not pointers, so that it needs no relocation:
 * it stays read-only, shared and untouched outside the pages a lookup reads. */
extern const char eas_fips_strings[];
#define EAS_FIPS_STR(off) (&eas_fips_strings[(off)])

/* Sorted by (state, county); eas_fips_ncounties entries. */
extern const struct eas_fips_county eas_fips_counties[];
extern const size_t eas_fips_ncounties;
/* What the table holds and where from, as the build printed it: "3754 places: ...". */
extern const char eas_fips_summary[];

/* The place with these codes, or NULL when the table has none. */
const struct eas_fips_county *eas_fips_county(int state, int county);

/* The name of place C (never NULL) and its state's USPS abbreviation (NULL for a marine zone). */
const char *eas_fips_name(const struct eas_fips_county *c);
const char *eas_fips_st(const struct eas_fips_county *c);

/* USPS abbreviation and full name of a state FIPS code; NULL when unknown (and for 57..98, the
 * marine areas). */
const char *eas_fips_state_abbr(int state);
const char *eas_fips_state_name(int state);

#endif
