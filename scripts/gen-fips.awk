# gen-fips.awk: turns the Census national_county.txt (sorted by state, county FIPS) into a C table.
BEGIN {
	FS = ","
	print "/* fips_table.c: generated from data/national_county.txt by scripts/gen-fips.awk; do not edit. */"
	print "#include \"fips.h\""
	print "const struct eas_fips_county eas_fips_counties[] = {"
	n = 0
}
NF >= 4 {
	name = $4
	gsub(/\\/, "\\\\", name)
	gsub(/"/, "\\\"", name)
	printf "\t{%d, %d, \"%s\", \"%s\"},\n", $2 + 0, $3 + 0, $1, name
	n++
}
END {
	print "};"
	printf "const size_t eas_fips_ncounties = %d;\n", n
}
