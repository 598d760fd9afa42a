/* test_optparse.c: unit tests of the numeric option parsers in lib/optparse.c. */
#include "optparse.h"
#include "t.h"

int main(void)
{
	long l = 7;
	double d = 7;

	CHECK(eas_parse_long("22050", 8000, 192000, &l) == 0 && l == 22050);
	CHECK(eas_parse_long("8000", 8000, 192000, &l) == 0 && l == 8000);
	CHECK(eas_parse_long("7999", 8000, 192000, &l) == -1 && l == 8000);
	CHECK(eas_parse_long("192001", 8000, 192000, &l) == -1);
	CHECK(eas_parse_long("", 0, 10, &l) == -1);
	CHECK(eas_parse_long("12x", 0, 100, &l) == -1);
	CHECK(eas_parse_long("99999999999999999999999", 0, 100, &l) == -1);
	CHECK(eas_parse_long("-3", -5, 5, &l) == 0 && l == -3);

	CHECK(eas_parse_double("2.5", 0, 10, &d) == 0 && d == 2.5);
	CHECK(eas_parse_double("-120", -120, 0, &d) == 0 && d == -120);
	CHECK(eas_parse_double("10.01", 0, 10, &d) == -1 && d == -120);
	CHECK(eas_parse_double("nan", -1e9, 1e9, &d) == -1);
	CHECK(eas_parse_double("inf", -1e300, 1e300, &d) == -1);
	CHECK(eas_parse_double("1e999", 0, 1e300, &d) == -1);
	CHECK(eas_parse_double("5 ", 0, 10, &d) == -1);
	CHECK(eas_parse_double("abc", 0, 10, &d) == -1);

	unsigned long long z = 7;
	CHECK(eas_parse_size("0", 0, 100, &z) == 0 && z == 0);
	CHECK(eas_parse_size("65536", 0, 1ull << 40, &z) == 0 && z == 65536);
	CHECK(eas_parse_size("64K", 0, 1ull << 40, &z) == 0 && z == 65536);
	CHECK(eas_parse_size("16m", 0, 1ull << 40, &z) == 0 && z == 16ull << 20);
	CHECK(eas_parse_size("2G", 0, 1ull << 40, &z) == 0 && z == 2ull << 30);
	z = 7;
	CHECK(eas_parse_size("2G", 0, 1ull << 30, &z) == -1 && z == 7); /* over HI */
	CHECK(eas_parse_size("", 0, 100, &z) == -1);
	CHECK(eas_parse_size("K", 0, 100, &z) == -1);
	CHECK(eas_parse_size("-1", 0, 100, &z) == -1);
	CHECK(eas_parse_size(" 5", 0, 100, &z) == -1);
	CHECK(eas_parse_size("1e5", 0, 1ull << 40, &z) == -1);
	CHECK(eas_parse_size("0x10", 0, 1ull << 40, &z) == -1);
	CHECK(eas_parse_size("5KB", 0, 1ull << 40, &z) == -1);
	CHECK(eas_parse_size("99999999999999999999999", 0, ~0ull, &z) == -1);
	CHECK(eas_parse_size("17179869184G", 0, ~0ull, &z) == -1); /* 2^64 bytes */
	CHECK(z == 7);
	return t_done("test_optparse");
}
