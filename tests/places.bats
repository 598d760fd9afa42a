#!/usr/bin/env bats
# places.bats: location names in the alert line (eas-encode | eas-decode) for current, renamed,
# retired and marine codes, and the build step that makes the table from data/.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# The alert line eas-decode prints for header H (encoded by eas-encode).
alert_of() {
	eas-encode "$1" | eas-decode --status-interval 0 | jq -c 'select(.type == "alert")' >"$tmp/a"
	[ "$(wc -l <"$tmp/a")" -eq 1 ] || { echo "no alert for $1" >&2; return 1; }
}

# name CODE WANT: the location with CODE is called WANT.
name() {
	jqt '[.locations[] | select(.code == "'"$1"'")][0].county == "'"$2"'"' "$tmp/a"
}

@test "current codes: Oglala Lakota, Kusilvak, Chugach, Copper River, Petersburg Borough" {
	alert_of 'ZCZC-WXR-SVR-046102-002158-002063-002066-002195+0100-1231645-KUNR/NWS-'
	name 046102 "Oglala Lakota County"
	name 002158 "Kusilvak Census Area"
	name 002063 "Chugach Census Area"
	name 002066 "Copper River Census Area"
	name 002195 "Petersburg Borough"
	# current codes say no more than the documented six fields
	jqt '[.locations[] | keys | sort] | unique == [["code", "county", "part", "part_name", "state", "state_name"]]' "$tmp/a"
	jqt '.locations[0] | .state == "SD" and .state_name == "South Dakota"' "$tmp/a"
}

@test "Connecticut both ways: the planning regions and the counties the NWS still sends" {
	alert_of 'ZCZC-WXR-WSW-009110-009120-009130-009140-009150-009160-009170-009180-009190-009001-009003-009005-009007-009009-009011-009013-009015+0600-0101200-KOKX/NWS-'
	name 009110 "Capitol Planning Region"
	name 009120 "Greater Bridgeport Planning Region"
	name 009130 "Lower Connecticut River Valley Planning Region"
	name 009140 "Naugatuck Valley Planning Region"
	name 009150 "Northeastern Connecticut Planning Region"
	name 009160 "Northwest Hills Planning Region"
	name 009170 "South Central Connecticut Planning Region"
	name 009180 "Southeastern Connecticut Planning Region"
	name 009190 "Western Connecticut Planning Region"
	name 009001 "Fairfield County"
	name 009003 "Hartford County"
	name 009005 "Litchfield County"
	name 009007 "Middlesex County"
	name 009009 "New Haven County"
	name 009011 "New London County"
	name 009013 "Tolland County"
	name 009015 "Windham County"
	# no one region replaced a county: no superseded_by either way
	jqt '[.locations[] | has("superseded_by")] | any | not' "$tmp/a"
	jqt '[.locations[].state] | unique == ["CT"]' "$tmp/a"
}

@test "retired codes keep their names and say what replaced them" {
	alert_of 'ZCZC-WXR-SVR-046113-002270-002261-051515-246113+0100-1231645-KUNR/NWS-'
	name 046113 "Shannon County"
	name 002270 "Wade Hampton Census Area"
	name 002261 "Valdez-Cordova Census Area"
	name 051515 "Bedford city"
	jqt '.locations[0].superseded_by == ["046102"]' "$tmp/a"
	jqt '.locations[1].superseded_by == ["002158"]' "$tmp/a"
	jqt '.locations[2].superseded_by == ["002063", "002066"]' "$tmp/a"
	jqt '.locations[3].superseded_by == ["051019"]' "$tmp/a"
	# a part of a retired county: the successor keeps the part digit
	jqt '.locations[4] | .part_name == "north" and .county == "Shannon County" and .superseded_by == ["246102"]' "$tmp/a"
}

@test "marine zones from three waters: names, kind marine, UGC" {
	alert_of 'ZCZC-WXR-SMW-077650-075650-091145+0030-1231645-KMOB/NWS-'
	name 077650 "Coastal waters from Pensacola FL to Pascagoula MS out 20 NM"
	name 075650 "Coastal waters from Jupiter Inlet to Deerfield Beach FL out 20 NM"
	name 091145 "Duluth MN to Port Wing WI"
	jqt '[.locations[].kind] == ["marine", "marine", "marine"]' "$tmp/a"
	jqt '[.locations[].ugc] == ["GMZ650", "AMZ650", "LSZ145"]' "$tmp/a"
	jqt '[.locations[] | .state, .state_name] | all(. == null)' "$tmp/a"
	jqt '.event_name == "Special Marine Warning"' "$tmp/a"
}

@test "2023 spellings with the 2010 suffixes" {
	alert_of 'ZCZC-WXR-FFW-035013-072097-022059-060030+0100-1231645-KABQ/NWS-'
	name 035013 "Doña Ana County"
	name 072097 "Mayagüez Municipio"
	name 022059 "LaSalle Parish"
	name 060030 "Rose Island"
}

# The generator run as make runs it, on DIR's copies of the four data files.
gen() {
	(cd "$1" && LC_ALL=C awk -f "$EAS_TOP/scripts/gen-fips.awk" fips_changes.txt national_county.txt \
		us_counties_2023_us-atlas.txt nws_marine_zones_same.csv)
}

@test "build step: prints the table's size and sources; refuses data it cannot account for" {
	cp "$EAS_TOP"/data/fips_changes.txt "$EAS_TOP"/data/national_county.txt \
		"$EAS_TOP"/data/us_counties_2023_us-atlas.txt "$EAS_TOP"/data/nws_marine_zones_same.csv "$tmp"/
	run --separate-stderr gen "$tmp"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"gen-fips: 3754 places: 3235 current county-equivalents (3233 from the 2023 Census list, 2 kept from the 2010 list), 12 retired codes, 507 NWS marine zones; "* ]]
	[[ "$stderr" == *"sources: data/us_counties_2023_us-atlas.txt (Census 2023), data/national_county.txt (Census 2010), data/nws_marine_zones_same.csv (NWS mz22mr22)"* ]]
	# what make compiled is what the generator makes now
	cmp <(printf '%s\n' "$output") "$EAS_BIN/../gen/fips_table.c"
	[ "$(grep -c '^	{' <<<"$output")" -eq 3754 ]

	# a new code with no full name
	grep -v '^name|46102|' "$EAS_TOP/data/fips_changes.txt" >"$tmp/fips_changes.txt"
	run --separate-stderr gen "$tmp"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"46102 Oglala Lakota: new since 2010; give its full name in fips_changes.txt"* ]]

	# a code dropped without a word
	grep -v '^retired|46113|' "$EAS_TOP/data/fips_changes.txt" >"$tmp/fips_changes.txt"
	run --separate-stderr gen "$tmp"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"46113 Shannon County: in the 2010 list only; say retired or kept"* ]]

	# a marine row whose SAME code does not match its area
	cp "$EAS_TOP/data/fips_changes.txt" "$tmp/"
	sed 's/^077650,GMZ650,GM/075650,GMZ650,GM/' "$EAS_TOP/data/nws_marine_zones_same.csv" >"$tmp/nws_marine_zones_same.csv"
	run --separate-stderr gen "$tmp"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"nws_marine_zones_same.csv:"*"want SAME,UGC,AREA,NAME,WFO"* ]]
}
