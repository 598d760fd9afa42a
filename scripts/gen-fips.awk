# gen-fips.awk: builds the C table of every place a SAME location code can name (see data/PROVENANCE.md).
#
# Usage (LC_ALL=C, the four files in this order):
#   awk -f gen-fips.awk fips_changes.txt national_county.txt us_counties_2023_us-atlas.txt \
#       nws_marine_zones_same.csv > fips_table.c
# Current county-equivalents are the 2023 list's, named with the suffix the 2010 list gives the same
# code ("Oglala Lakota" has none there, so fips_changes.txt names it); codes Census dropped but
# transmitters still send keep their 2010 names, with successors; marine zones come from the NWS list.
# A code that changed between the lists and is not in fips_changes.txt stops the build, and so does
# any malformed row. The table's size and sources go to stderr.
function die(msg) {
	printf "gen-fips: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}
# ASCII spelling of the Latin letters with diacritics the Census names use ("Doña" -> "Dona").
function fold(s) {
	gsub("\303[\240-\245]", "a", s); gsub("\303\247", "c", s); gsub("\303[\250-\253]", "e", s)
	gsub("\303[\254-\257]", "i", s); gsub("\303\261", "n", s); gsub("\303[\262-\266]", "o", s)
	gsub("\303[\271-\274]", "u", s); gsub("\303\201", "A", s); gsub("\303\211", "E", s)
	gsub("\303\215", "I", s); gsub("\303\223", "O", s); gsub("\303\232", "U", s)
	return s
}
# S as a C string literal: quotes and backslashes escaped, bytes above 127 in octal.
function cstr(s,    out, i, ch) {
	if (s == "")
		return "NULL"
	out = ""
	for (i = 1; i <= length(s); i++) {
		ch = substr(s, i, 1)
		if (ch == "\"" || ch == "\\")
			out = out "\\" ch
		else if (ch in ord)
			out = out sprintf("\\%03o", ord[ch])
		else
			out = out ch
	}
	return "\"" out "\""
}
# Splits one CSV record (double quotes around fields holding commas) into F[1..n]; returns n.
function csv(line, F,    n, i, ch, q, cur) {
	n = 0; cur = ""; q = 0
	for (i = 1; i <= length(line); i++) {
		ch = substr(line, i, 1)
		if (q) {
			if (ch == "\"" && substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
			else if (ch == "\"") q = 0
			else cur = cur ch
		} else if (ch == "\"") q = 1
		else if (ch == ",") { F[++n] = cur; cur = "" }
		else cur = cur ch
	}
	F[++n] = cur
	return n
}
function add(key, st, name, kind, retired, ugc, succ) {
	if (key in tname)
		die("code " key " twice")
	tname[key] = name; tst[key] = st; tkind[key] = kind; tret[key] = retired
	tugc[key] = ugc; tsucc[key] = succ
}
BEGIN {
	for (i = 128; i < 256; i++)
		ord[sprintf("%c", i)] = i
	# NWS marine area (the UGC's first two letters) -> the two digits SAME puts in place of the state
	split("PZ 57 PK 58 PH 59 PS 61 PM 65 AN 73 AM 75 GM 77 LS 91 LM 92 LH 93 LC 94 LE 96 LO 97 SL 98", a, " ")
	for (i = 1; i < 30; i += 2)
		marea[a[i]] = a[i + 1]
	file = 0
}
FNR == 1 { file++ }
# data/fips_changes.txt
file == 1 {
	if (/^#/ || /^[ \t]*$/)
		next
	if (split($0, f, "|") != 4 || f[2] !~ /^[0-9][0-9][0-9][0-9][0-9]$/)
		die("want what|GEOID|value|why")
	if (f[1] == "name") changed_name[f[2]] = f[3]
	else if (f[1] == "retired") retired[f[2]] = f[3] == "-" ? "" : f[3]
	else if (f[1] == "kept") kept[f[2]] = 1
	else die("unknown change \"" f[1] "\"")
	nchanges++
	next
}
# data/national_county.txt (2010): STATE,STATEFP,COUNTYFP,COUNTYNAME,CLASSFP
file == 2 {
	if (split($0, f, ",") != 5 || f[2] !~ /^[0-9][0-9]$/ || f[3] !~ /^[0-9][0-9][0-9]$/)
		die("want STATE,STATEFP,COUNTYFP,COUNTYNAME,CLASSFP")
	old[f[2] f[3]] = f[4]; oldst[f[2] f[3]] = f[1]
	nold++
	next
}
# data/us_counties_2023_us-atlas.txt: STATE|STATEFP|COUNTYFP|GEOID|NAME, one header line
file == 3 {
	if (FNR == 1)
		next
	if (split($0, f, "|") != 5 || f[4] !~ /^[0-9][0-9][0-9][0-9][0-9]$/ || f[4] != f[2] f[3] ||
	    f[5] == "")
		die("want STATE|STATEFP|COUNTYFP|GEOID|NAME")
	g = f[4]; base = f[5]; fb = fold(base)
	if (g in retired || g in kept)
		die(g " is current in the 2023 list but fips_changes.txt says retired or kept")
	if (g in changed_name) {
		name = changed_name[g]; nnamed++
	} else if (!(g in old)) {
		die(g " " base ": new since 2010; give its full name in fips_changes.txt")
	} else if (old[g] == fb) {
		name = base                                    # "District of Columbia", "Guam"
	} else if (substr(old[g], 1, length(fb) + 1) == fb " ") {
		name = base substr(old[g], length(fb) + 1)     # the 2010 suffix: " County", " Parish"
		nsuffix++
	} else {
		die(g ": 2010 \"" old[g] "\", 2023 \"" base "\"; give its full name in fips_changes.txt")
	}
	add(g + 0, f[1], name, 0, 0, "", "")
	ncur++
	next
}
# data/nws_marine_zones_same.csv: SAME,UGC,AREA,NAME,WFO, one header line
file == 4 {
	if (FNR == 1)
		next
	if (csv($0, f) != 5 || f[1] !~ /^0[0-9][0-9][0-9][0-9][0-9]$/ || !(f[3] in marea) ||
	    substr(f[1], 2, 2) != marea[f[3]] || f[2] != f[3] "Z" substr(f[1], 4, 3) || f[4] == "")
		die("want SAME,UGC,AREA,NAME,WFO with SAME = 0, the area's two digits, the zone")
	name = f[4]
	gsub(/[ \t]+/, " ", name)
	add(substr(f[1], 2) + 0, "", name, 1, 0, f[2], "")
	nmarine++
	next
}
END {
	if (failed)
		exit 1
	if (file != 4) {
		print "gen-fips: want four files: changes, 2010 list, 2023 list, marine zones" > "/dev/stderr"
		exit 1
	}
	for (g in old) {
		if (g in retired) {
			add(g + 0, oldst[g], old[g], 0, 1, "", retired[g]); nret++
		} else if (g in kept) {
			add(g + 0, oldst[g], old[g], 0, 0, "", ""); nkept++; ncur++
		} else if (!((g + 0) in tname)) {
			FILENAME = "data/fips_changes.txt"; FNR = 0
			die(g " " old[g] ": in the 2010 list only; say retired or kept")
		}
	}
	for (g in changed_name)
		if (!((g + 0) in tname) || tname[g + 0] != changed_name[g]) {
			FILENAME = "data/fips_changes.txt"; FNR = 0
			die(g ": named but not in the 2023 list")
		}
	for (g in retired) {
		if (!((g + 0) in tname)) {
			FILENAME = "data/fips_changes.txt"; FNR = 0
			die(g ": retired but not in the 2010 list")
		}
		n = split(retired[g], s, " ")
		for (i = 1; i <= n; i++)
			if (!((s[i] + 0) in tname) || tret[s[i] + 0]) {
				FILENAME = "data/fips_changes.txt"; FNR = 0
				die(g ": successor " s[i] " is not a current code")
			}
	}
	print "/* fips_table.c: generated by scripts/gen-fips.awk from data/ (see data/PROVENANCE.md); do not edit. */"
	print "#include \"fips.h\""
	# the strings first, each once, so that the table can hold their offsets
	nstr = 0; soff = 1; strs[nstr++] = ""
	for (k = 0; k < 100000; k++) {
		if (!(k in tname))
			continue
		ntab++
		split(tname[k] "\t" tugc[k] "\t" tsucc[k], v, "\t")
		for (i = 1; i <= 3; i++)
			if (v[i] != "" && !(v[i] in off)) {
				off[v[i]] = soff; soff += length(v[i]) + 1; strs[nstr++] = v[i]
			}
	}
	print "const char eas_fips_strings[] ="
	for (i = 0; i < nstr; i++)
		printf "\t%s%s\n", strs[i] == "" ? "\"" : substr(cstr(strs[i]), 1, length(cstr(strs[i])) - 1),
		    i + 1 < nstr ? "\\000\"" : "\";"
	print "const struct eas_fips_county eas_fips_counties[] = {"
	total = 0
	for (k = 0; k < 100000; k++) {
		if (!(k in tname))
			continue
		printf "\t{%d, %d, %s, %d, %d, %d, %d},\n", int(k / 1000), k % 1000,
		    tkind[k] ? "EAS_PLACE_MARINE" : "EAS_PLACE_COUNTY", tret[k], off[tname[k]],
		    tugc[k] == "" ? 0 : off[tugc[k]], tsucc[k] == "" ? 0 : off[tsucc[k]]
		total++
	}
	print "};"
	printf "const size_t eas_fips_ncounties = %d;\n", total
	summary = sprintf("%d places: %d current county-equivalents (%d from the 2023 Census list, " \
	    "%d kept from the 2010 list), %d retired codes, %d NWS marine zones; " \
	    "%d suffixes from the 2010 list, %d names from fips_changes.txt",
	    total, ncur, ncur - nkept, nkept, nret, nmarine, nsuffix, nnamed)
	printf "const char eas_fips_summary[] = %s;\n", cstr(summary)
	printf "/* %d strings, %d bytes */\n", nstr, soff
	print "gen-fips: " summary > "/dev/stderr"
	print "gen-fips: sources: data/us_counties_2023_us-atlas.txt (Census 2023), " \
	    "data/national_county.txt (Census 2010), data/nws_marine_zones_same.csv (NWS mz22mr22), " \
	    "data/fips_changes.txt (" nchanges " changes)" > "/dev/stderr"
}
