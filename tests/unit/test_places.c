/* test_places.c: unit tests of the place-name table built from data/ (counts, names, retired
 * codes, marine zones) and of the location fields the alert line (lib/lines) takes from it. */
#include <stdlib.h>
#include <string.h>

#include "fips.h"
#include "json.h"
#include "lines.h"
#include "same_header.h"
#include "t.h"

static const char *name_of(int state, int county)
{
	const struct eas_fips_county *c = eas_fips_county(state, county);
	return c ? eas_fips_name(c) : NULL;
}

/* Successors of (state, county) as the table spells them, NULL when none. */
static const char *succ_of(int state, int county)
{
	const struct eas_fips_county *c = eas_fips_county(state, county);
	return c && c->superseded_by ? EAS_FIPS_STR(c->superseded_by) : NULL;
}

static int retired(int state, int county)
{
	const struct eas_fips_county *c = eas_fips_county(state, county);
	return c && c->retired;
}

/* The sizes the build printed, checked against the table itself. */
static void test_counts(void)
{
	size_t cur = 0, ret = 0, marine = 0;
	for (size_t i = 0; i < eas_fips_ncounties; i++) {
		const struct eas_fips_county *e = &eas_fips_counties[i];
		if (e->kind == EAS_PLACE_MARINE)
			marine++;
		else if (e->retired)
			ret++;
		else
			cur++;
	}
	/* 3,233 rows of the 2023 list + 2 American Samoa islands it lacks */
	CHECK(cur == 3235);
	/* Shannon, Wade Hampton, Valdez-Cordova, Bedford city, Connecticut's 8 counties */
	CHECK(ret == 12);
	CHECK(marine == 507);
	CHECK(eas_fips_ncounties == 3754);
	static const char want[] =
	    "3754 places: 3235 current county-equivalents (3233 from the 2023 Census list, 2 kept "
	    "from the 2010 list), 12 retired codes, 507 NWS marine zones; ";
	CHECK(strncmp(eas_fips_summary, want, strlen(want)) == 0);
}

/* Every entry is well-formed for its kind. */
static void test_entries(void)
{
	static const struct {
		int sscode;
		const char *area;
	} areas[] = {{57, "PZ"}, {58, "PK"}, {59, "PH"}, {61, "PS"}, {65, "PM"},
	             {73, "AN"}, {75, "AM"}, {77, "GM"}, {91, "LS"}, {92, "LM"},
	             {93, "LH"}, {94, "LC"}, {96, "LE"}, {97, "LO"}, {98, "SL"}};
	int ok_names = 1, ok_marine = 1, ok_county = 1, ok_succ = 1;
	for (size_t i = 0; i < eas_fips_ncounties; i++) {
		const struct eas_fips_county *e = &eas_fips_counties[i];
		const char *name = eas_fips_name(e), *ugc = EAS_FIPS_STR(e->ugc);
		if (!*name || strstr(name, "  ") || name[0] == ' ' || e->name == 0)
			ok_names = 0;
		if (e->kind == EAS_PLACE_MARINE) {
			const char *area = NULL;
			char want[16];
			for (size_t k = 0; k < sizeof areas / sizeof areas[0]; k++)
				if (areas[k].sscode == e->state)
					area = areas[k].area;
			snprintf(want, sizeof want, "%sZ%03d", area ? area : "??", e->county);
			if (!area || eas_fips_st(e) || strcmp(ugc, want) || e->retired ||
			    e->superseded_by || eas_fips_state_abbr(e->state))
				ok_marine = 0;
		} else {
			if (!eas_fips_st(e) || *ugc || !eas_fips_state_name(e->state))
				ok_county = 0;
			if (e->superseded_by && !e->retired)
				ok_succ = 0;
		}
		/* every successor is a current county-equivalent */
		for (const char *s = e->superseded_by ? EAS_FIPS_STR(e->superseded_by) : NULL;
		     s && *s;) {
			char *end;
			long g = strtol(s, &end, 10);
			const struct eas_fips_county *n =
			    eas_fips_county((int)(g / 1000), (int)(g % 1000));
			if (end - s != 5 || !n || n->retired || n->kind != EAS_PLACE_COUNTY)
				ok_succ = 0;
			s = end + strspn(end, " ");
		}
	}
	CHECK(ok_names);
	CHECK(ok_marine);
	CHECK(ok_county);
	CHECK(ok_succ);
}

/* The codes of issue 16: current, renamed, retired, Connecticut both ways, marine. */
static void test_names(void)
{
	CHECK_STR(name_of(46, 102), "Oglala Lakota County");
	CHECK_STR(name_of(2, 158), "Kusilvak Census Area");
	CHECK_STR(name_of(2, 63), "Chugach Census Area");
	CHECK_STR(name_of(2, 66), "Copper River Census Area");
	CHECK_STR(name_of(2, 195), "Petersburg Borough");
	static const char *const ct[] = {"Capitol",
	                                 "Greater Bridgeport",
	                                 "Lower Connecticut River Valley",
	                                 "Naugatuck Valley",
	                                 "Northeastern Connecticut",
	                                 "Northwest Hills",
	                                 "South Central Connecticut",
	                                 "Southeastern Connecticut",
	                                 "Western Connecticut"};
	for (int i = 0; i < 9; i++) {
		char want[80];
		snprintf(want, sizeof want, "%s Planning Region", ct[i]);
		CHECK_STR(name_of(9, 110 + 10 * i), want);
		CHECK(!retired(9, 110 + 10 * i));
	}
	static const char *const ctold[] = {"Fairfield", "Hartford",   "Litchfield", "Middlesex",
	                                    "New Haven", "New London", "Tolland",    "Windham"};
	for (int i = 0; i < 8; i++) {
		char want[80];
		snprintf(want, sizeof want, "%s County", ctold[i]);
		CHECK_STR(name_of(9, 1 + 2 * i), want);
		CHECK(retired(9, 1 + 2 * i));
		CHECK(succ_of(9, 1 + 2 * i) == NULL);
	}
	CHECK_STR(name_of(46, 113), "Shannon County");
	CHECK_STR(succ_of(46, 113), "46102");
	CHECK_STR(name_of(2, 270), "Wade Hampton Census Area");
	CHECK_STR(succ_of(2, 270), "02158");
	CHECK_STR(name_of(2, 261), "Valdez-Cordova Census Area");
	CHECK_STR(succ_of(2, 261), "02063 02066");
	CHECK_STR(name_of(51, 515), "Bedford city");
	CHECK_STR(succ_of(51, 515), "51019");
	CHECK(!retired(46, 102) && succ_of(46, 102) == NULL);

	/* suffixes from 2010, spellings from 2023 */
	CHECK_STR(name_of(35, 13), "Do\xc3\xb1"
	                           "a Ana County");
	CHECK_STR(name_of(72, 97), "Mayag\xc3\xbc"
	                           "ez Municipio");
	CHECK_STR(name_of(22, 59), "LaSalle Parish");
	CHECK_STR(name_of(51, 760), "Richmond city");
	CHECK_STR(name_of(51, 159), "Richmond County");
	CHECK_STR(name_of(2, 20), "Anchorage Municipality");
	CHECK_STR(name_of(11, 1), "District of Columbia");
	CHECK_STR(name_of(60, 30), "Rose Island"); /* kept: the 2023 file lacks it */
	CHECK_STR(name_of(60, 40), "Swains Island");

	/* marine zones from three waters */
	const struct eas_fips_county *m = eas_fips_county(77, 650);
	CHECK_STR(m ? eas_fips_name(m) : NULL,
	          "Coastal waters from Pensacola FL to Pascagoula MS out 20 NM");
	CHECK_STR(m ? EAS_FIPS_STR(m->ugc) : NULL, "GMZ650");
	CHECK(m && m->kind == EAS_PLACE_MARINE && eas_fips_st(m) == NULL);
	CHECK_STR(name_of(75, 650),
	          "Coastal waters from Jupiter Inlet to Deerfield Beach FL out 20 NM");
	CHECK_STR(name_of(91, 145), "Duluth MN to Port Wing WI");
	CHECK_STR(name_of(57, 135), "Puget Sound and Hood Canal");
	/* quoted CSV names keep their commas; runs of spaces become one */
	CHECK_STR(name_of(57, 530),
	          "San Pablo Bay, Suisun Bay, the West Delta and the San Francisco "
	          "Bay north of the Bay Bridge");
	CHECK(eas_fips_county(77, 999) == NULL);
}

static int has(const char *s, const char *want)
{
	if (strstr(s, want))
		return 1;
	fprintf(stderr, "  missing %s\n  in %s\n", want, s);
	return 0;
}

/* What the alert line says: the documented six fields, plus kind/ugc/superseded_by only where
 * they say something. */
static void test_json(void)
{
	static struct same_header h;
	char err[128];
	const char *hdr =
	    "ZCZC-WXR-SMW-077650-075650-091145-146113-002261-009001-009110-046102+0030-"
	    "1231645-KMOB/NWS-";
	CHECK(same_header_parse(hdr, strlen(hdr), 0, &h, err, sizeof err) == 0);
	struct eas_json j;
	struct eas_line_at at = {"mon1", 1777826700000, 0};
	eas_json_init(&j);
	eas_line_alert(&j, &h, 3, 0, 1, &at);
	CHECK(!j.oom);
	const char *s = j.buf;
	CHECK(has(s,
	          "{\"code\":\"077650\",\"part\":0,\"part_name\":\"all\",\"state\":null,"
	          "\"state_name\":null,\"county\":\"Coastal waters from Pensacola FL to Pascagoula "
	          "MS out 20 NM\",\"kind\":\"marine\",\"ugc\":\"GMZ650\"}"));
	CHECK(has(s, "\"county\":\"Coastal waters from Jupiter Inlet to Deerfield Beach FL out 20 "
	             "NM\",\"kind\":\"marine\",\"ugc\":\"AMZ650\"}"));
	CHECK(has(s, "\"county\":\"Duluth MN to Port Wing WI\",\"kind\":\"marine\",\"ugc\":"
	             "\"LSZ145\"}"));
	/* the successor carries the received P digit */
	CHECK(has(s, "{\"code\":\"146113\",\"part\":1,\"part_name\":\"northwest\",\"state\":\"SD\","
	             "\"state_name\":\"South Dakota\",\"county\":\"Shannon County\","
	             "\"superseded_by\":[\"146102\"]}"));
	CHECK(has(s, "\"county\":\"Valdez-Cordova Census Area\",\"superseded_by\":[\"002063\","
	             "\"002066\"]}"));
	CHECK(has(s, "\"state_name\":\"Connecticut\",\"county\":\"Fairfield County\"}"));
	CHECK(has(s, "\"state_name\":\"Connecticut\",\"county\":\"Capitol Planning Region\"}"));
	CHECK(has(s, "\"state_name\":\"South Dakota\",\"county\":\"Oglala Lakota County\"}"));
	eas_json_free(&j);
}

/* Lookups: a county, a marine zone, states and their names, codes the table lacks. */
static void test_lookup(void)
{
	const struct eas_fips_county *c = eas_fips_county(39, 173);
	CHECK(c != NULL);
	CHECK(c && c->state == 39 && c->county == 173);
	CHECK_STR(c ? eas_fips_name(c) : NULL, "Wood County");
	CHECK_STR(c ? eas_fips_st(c) : NULL, "OH");
	CHECK_STR(eas_fips_county(39, 35) ? eas_fips_name(eas_fips_county(39, 35)) : NULL,
	          "Cuyahoga County");
	CHECK_STR(eas_fips_county(1, 1) ? eas_fips_name(eas_fips_county(1, 1)) : NULL,
	          "Autauga County");
	CHECK_STR(eas_fips_county(72, 127) ? eas_fips_name(eas_fips_county(72, 127)) : NULL,
	          "San Juan Municipio");
	CHECK_STR(eas_fips_county(11, 1) ? eas_fips_st(eas_fips_county(11, 1)) : NULL, "DC");
	const struct eas_fips_county *last = &eas_fips_counties[eas_fips_ncounties - 1];
	CHECK(eas_fips_county(last->state, last->county) == last);
	CHECK(eas_fips_county(eas_fips_counties[0].state, eas_fips_counties[0].county) ==
	      &eas_fips_counties[0]);
	CHECK(eas_fips_county(39, 0) == NULL);
	CHECK(eas_fips_county(39, 2) == NULL);
	CHECK(eas_fips_county(0, 0) == NULL);
	CHECK(eas_fips_county(99, 999) == NULL);
	CHECK(eas_fips_county(-1, 1) == NULL);
	CHECK(eas_fips_county(1, 1000) == NULL);
	CHECK(eas_fips_ncounties > 3000);

	/* The table is sorted and every entry is found; every state in it has names. */
	int sorted = 1, found = 1, named = 1;
	for (size_t i = 0; i < eas_fips_ncounties; i++) {
		const struct eas_fips_county *e = &eas_fips_counties[i];
		if (i && eas_fips_counties[i - 1].state * 1000 + eas_fips_counties[i - 1].county >=
		             e->state * 1000 + e->county)
			sorted = 0;
		if (eas_fips_county(e->state, e->county) != e)
			found = 0;
		if (e->kind == EAS_PLACE_MARINE) /* marine areas are no states: test_lookup() */
			continue;
		if (!eas_fips_state_abbr(e->state) ||
		    strcmp(eas_fips_state_abbr(e->state), eas_fips_st(e)) ||
		    !eas_fips_state_name(e->state))
			named = 0;
	}
	CHECK(sorted);
	CHECK(found);
	CHECK(named);

	int nstates = 0;
	for (int s = 1; s <= 56; s++)
		nstates += eas_fips_state_abbr(s) != NULL;
	CHECK(nstates == 51); /* 50 states and DC */
	CHECK_STR(eas_fips_state_abbr(0), "US");
	CHECK_STR(eas_fips_state_name(0), "United States");
	CHECK_STR(eas_fips_state_abbr(39), "OH");
	CHECK_STR(eas_fips_state_name(39), "Ohio");
	CHECK_STR(eas_fips_state_name(11), "District of Columbia");
	CHECK_STR(eas_fips_state_abbr(72), "PR");
	CHECK_STR(eas_fips_state_abbr(60), "AS");
	CHECK_STR(eas_fips_state_abbr(66), "GU");
	CHECK_STR(eas_fips_state_abbr(69), "MP");
	CHECK_STR(eas_fips_state_abbr(74), "UM");
	CHECK_STR(eas_fips_state_abbr(78), "VI");
	CHECK_STR(eas_fips_state_name(78), "U.S. Virgin Islands");
	CHECK(eas_fips_state_abbr(3) == NULL);
	CHECK(eas_fips_state_abbr(77) == NULL); /* marine area, not a state */
	CHECK(eas_fips_state_abbr(79) == NULL);
	CHECK(eas_fips_state_abbr(-1) == NULL);
	CHECK(eas_fips_state_name(1000) == NULL);
}

int main(void)
{
	test_counts();
	test_entries();
	test_names();
	test_json();
	test_lookup();
	return t_done("test_places");
}
