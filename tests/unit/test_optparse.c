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

	/* Decimal only: no exponent, hex, leading space or sign, or a lone point (issue 17). */
	CHECK(eas_parse_long("1e5", 0, 1000000, &l) == -1);
	CHECK(eas_parse_long("0x5622", 0, 100000, &l) == -1);
	CHECK(eas_parse_long(" 22050", 0, 100000, &l) == -1);
	CHECK(eas_parse_long("+22050", 0, 100000, &l) == -1);
	CHECK(eas_parse_long("-", -5, 5, &l) == -1);
	CHECK(eas_parse_long("0", 0, 5, &l) == 0 && l == 0);
	CHECK(eas_parse_double("1e5", 0, 1e6, &d) == -1);
	CHECK(eas_parse_double("0x10", 0, 100, &d) == -1);
	CHECK(eas_parse_double(" 5", 0, 10, &d) == -1);
	CHECK(eas_parse_double("+5", 0, 10, &d) == -1);
	CHECK(eas_parse_double(".", 0, 10, &d) == -1);
	CHECK(eas_parse_double("5.", 0, 10, &d) == 0 && d == 5);
	CHECK(eas_parse_double(".5", 0, 10, &d) == 0 && d == 0.5);
	CHECK(eas_parse_double("-0.25", -1, 0, &d) == 0 && d == -0.25);

	int r = 1;
	CHECK(eas_parse_rate("22050", &r) == 0 && r == 22050 && r == EAS_RATE_DEFAULT);
	CHECK(eas_parse_rate("1e5", &r) == -1 && r == 22050);
	CHECK(eas_parse_rate("7999", &r) == -1);
	CHECK(eas_parse_rate("192000", &r) == 0 && r == EAS_RATE_MAX);
	return t_done("test_optparse");
}
