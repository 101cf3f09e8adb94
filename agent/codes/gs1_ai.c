/*
 * The GS1 Application Identifier table, written from the GS1 General
 * Specifications (section 3) in the notation GS1 uses for it: format
 * components "N14", "X..20", "[N3]" (optional) with the linters that check
 * them ("csum", "yymmd0"...); req: the AIs (or AI+AI groups, "n" a digit)
 * one of which must be present; ex: AIs that must not be; dl: Digital Link
 * primary key qualifiers (NULL: not a key). tests/unit/test_codes.c holds
 * this table against GS1's Barcode Syntax Dictionary.
 */
#include <stdlib.h>
#include <string.h>

#include "codes_int.h"

#define FX	GS1_FIXED	/* pre-defined length: no FNC1 after it */
#define DA	GS1_DLATTR	/* may be a Digital Link data attribute */
#define R(lo, hi, f, spec, req, ex, dl, title) \
	{ lo, hi, f, spec, req, ex, dl, title }
#define A(ai, f, spec, req, ex, dl, title) \
	R(ai, ai, f, spec, req, ex, dl, title)
#define REQ_ITEM	"01,02,03,8006,8026"

static const struct gs1_ai ai_table[] = {
A("00", FX|DA, "N18,csum,gcppos2", NULL, NULL, "", "SSCC"),
A("01", FX|DA, "N14,csum,gcppos2", NULL, "255,37", "22,10,21|235", "GTIN"),
A("02", FX|DA, "N14,csum,gcppos2", "37", "01,03", NULL, "CONTENT"),
A("03", FX, "N14,csum,gcppos2", NULL, "01,02,37,235", NULL, "MTO GTIN"),
A("10", DA, "X..20", REQ_ITEM, NULL, NULL, "lot"),
A("11", FX|DA, "N6,yymmd0", REQ_ITEM, NULL, NULL, "production date"),
A("12", FX|DA, "N6,yymmd0", "8020", NULL, NULL, "due date"),
A("13", FX|DA, "N6,yymmd0", REQ_ITEM, NULL, NULL, "packaging date"),
A("15", FX|DA, "N6,yymmd0", REQ_ITEM, NULL, NULL, "best before date"),
A("16", FX|DA, "N6,yymmd0", REQ_ITEM, NULL, NULL, "sell by date"),
A("17", FX|DA, "N6,yymmd0", "01,02,03,255,8006,8026", NULL, NULL, "expiry"),
A("20", FX|DA, "N2", REQ_ITEM, NULL, NULL, "variant"),
A("21", 0, "X..20", "01,03,8006", "235", NULL, "serial"),
A("22", 0, "X..20", "01", NULL, NULL, "CPV"),
A("235", 0, "X..28", "01", NULL, NULL, "TPX"),
A("240", DA, "X..30", REQ_ITEM, NULL, NULL, "additional ID"),
A("241", DA, "X..30", REQ_ITEM, NULL, NULL, "customer part number"),
A("242", DA, "N..6", "01,02,8006,8026", NULL, NULL, "MTO variant"),
A("243", DA, "X..20", "01,03", NULL, NULL, "PCN"),
A("250", DA, "X..30", "01+21,03+21,8006+21", NULL, NULL, "secondary serial"),
A("251", DA, "X..30", "01,03,8006", NULL, NULL, "reference to source"),
A("253", DA, "N13,csum,gcppos1 [X..17]", NULL, NULL, "", "GDTI"),
A("254", 0, "X..20", "414", NULL, NULL, "GLN extension"),
A("255", DA, "N13,csum,gcppos1 [N..12]", NULL, "01,02,415,8006,8020,8026",
    "", "GCN"),
A("30", DA, "N..8", "01,02", NULL, NULL, "count"),
R("3100", "3105", FX|DA, "N6", "01,02", "310n", NULL, "net weight (kg)"),
R("3110", "3115", FX|DA, "N6", "01,02", "311n", NULL, "length (m)"),
R("3120", "3125", FX|DA, "N6", "01,02", "312n", NULL, "width (m)"),
R("3130", "3135", FX|DA, "N6", "01,02", "313n", NULL, "height (m)"),
R("3140", "3145", FX|DA, "N6", "01,02", "314n", NULL, "area (m2)"),
R("3150", "3155", FX|DA, "N6", "01,02", "315n", NULL, "net volume (l)"),
R("3160", "3165", FX|DA, "N6", "01,02", "316n", NULL, "net volume (m3)"),
R("3200", "3205", FX|DA, "N6", "01,02", "320n", NULL, "net weight (lb)"),
R("3210", "3215", FX|DA, "N6", "01,02", "321n", NULL, "length (in)"),
R("3220", "3225", FX|DA, "N6", "01,02", "322n", NULL, "length (ft)"),
R("3230", "3235", FX|DA, "N6", "01,02", "323n", NULL, "length (yd)"),
R("3240", "3245", FX|DA, "N6", "01,02", "324n", NULL, "width (in)"),
R("3250", "3255", FX|DA, "N6", "01,02", "325n", NULL, "width (ft)"),
R("3260", "3265", FX|DA, "N6", "01,02", "326n", NULL, "width (yd)"),
R("3270", "3275", FX|DA, "N6", "01,02", "327n", NULL, "height (in)"),
R("3280", "3285", FX|DA, "N6", "01,02", "328n", NULL, "height (ft)"),
R("3290", "3295", FX|DA, "N6", "01,02", "329n", NULL, "height (yd)"),
R("3300", "3305", FX|DA, "N6", "00,01", "330n", NULL, "gross weight (kg)"),
R("3310", "3315", FX|DA, "N6", "00,01", "331n", NULL, "length (m), log"),
R("3320", "3325", FX|DA, "N6", "00,01", "332n", NULL, "width (m), log"),
R("3330", "3335", FX|DA, "N6", "00,01", "333n", NULL, "height (m), log"),
R("3340", "3345", FX|DA, "N6", "00,01", "334n", NULL, "area (m2), log"),
R("3350", "3355", FX|DA, "N6", "00,01", "335n", NULL, "volume (l), log"),
R("3360", "3365", FX|DA, "N6", "00,01", "336n", NULL, "volume (m3), log"),
R("3370", "3375", FX|DA, "N6", "01", "337n", NULL, "kg per m2"),
R("3400", "3405", FX|DA, "N6", "00,01", "340n", NULL, "gross weight (lb)"),
R("3410", "3415", FX|DA, "N6", "00,01", "341n", NULL, "length (in), log"),
R("3420", "3425", FX|DA, "N6", "00,01", "342n", NULL, "length (ft), log"),
R("3430", "3435", FX|DA, "N6", "00,01", "343n", NULL, "length (yd), log"),
R("3440", "3445", FX|DA, "N6", "00,01", "344n", NULL, "width (in), log"),
R("3450", "3455", FX|DA, "N6", "00,01", "345n", NULL, "width (ft), log"),
R("3460", "3465", FX|DA, "N6", "00,01", "346n", NULL, "width (yd), log"),
R("3470", "3475", FX|DA, "N6", "00,01", "347n", NULL, "height (in), log"),
R("3480", "3485", FX|DA, "N6", "00,01", "348n", NULL, "height (ft), log"),
R("3490", "3495", FX|DA, "N6", "00,01", "349n", NULL, "height (yd), log"),
R("3500", "3505", FX|DA, "N6", "01,02", "350n", NULL, "area (in2)"),
R("3510", "3515", FX|DA, "N6", "01,02", "351n", NULL, "area (ft2)"),
R("3520", "3525", FX|DA, "N6", "01,02", "352n", NULL, "area (yd2)"),
R("3530", "3535", FX|DA, "N6", "00,01", "353n", NULL, "area (in2), log"),
R("3540", "3545", FX|DA, "N6", "00,01", "354n", NULL, "area (ft2), log"),
R("3550", "3555", FX|DA, "N6", "00,01", "355n", NULL, "area (yd2), log"),
R("3560", "3565", FX|DA, "N6", "01,02", "356n", NULL, "net weight (troy oz)"),
R("3570", "3575", FX|DA, "N6", "01,02", "357n", NULL, "net volume (oz)"),
R("3600", "3605", FX|DA, "N6", "01,02", "360n", NULL, "net volume (qt)"),
R("3610", "3615", FX|DA, "N6", "01,02", "361n", NULL, "net volume (gal)"),
R("3620", "3625", FX|DA, "N6", "00,01", "362n", NULL, "volume (qt), log"),
R("3630", "3635", FX|DA, "N6", "00,01", "363n", NULL, "volume (gal), log"),
R("3640", "3645", FX|DA, "N6", "01,02", "364n", NULL, "net volume (in3)"),
R("3650", "3655", FX|DA, "N6", "01,02", "365n", NULL, "net volume (ft3)"),
R("3660", "3665", FX|DA, "N6", "01,02", "366n", NULL, "net volume (yd3)"),
R("3670", "3675", FX|DA, "N6", "00,01", "367n", NULL, "volume (in3), log"),
R("3680", "3685", FX|DA, "N6", "00,01", "368n", NULL, "volume (ft3), log"),
R("3690", "3695", FX|DA, "N6", "00,01", "369n", NULL, "volume (yd3), log"),
A("37", DA, "N..8", "00+02,00+8026", NULL, NULL, "count of items"),
R("3900", "3909", DA, "N..15", "255,8020", "390n,391n,394n,8111", NULL,
    "amount payable"),
R("3910", "3919", DA, "N3,iso4217 N..15", "8020", "391n", NULL,
    "amount payable (currency)"),
R("3920", "3929", DA, "N..15", "01+30,01+31nn,01+32nn,01+35nn,01+36nn",
    "392n,393n", NULL, "price"),
R("3930", "3939", DA, "N3,iso4217 N..15", "30,31nn,32nn,35nn,36nn", "393n",
    NULL, "price (currency)"),
R("3940", "3943", DA, "N4", "255", "394n,8111", NULL, "percent off"),
R("3950", "3955", DA, "N6", "30,31nn,32nn,35nn,36nn", "392n,393n,395n,8005",
    NULL, "price per unit"),
A("400", DA, "X..30", NULL, NULL, NULL, "order number"),
A("401", DA, "X..30,gcppos1", NULL, NULL, "", "GINC"),
A("402", DA, "N17,csum,gcppos1", NULL, NULL, "", "GSIN"),
A("403", DA, "X..30", "00", NULL, NULL, "route"),
A("410", FX|DA, "N13,csum,gcppos1", NULL, NULL, NULL, "ship to GLN"),
A("411", FX|DA, "N13,csum,gcppos1", NULL, NULL, NULL, "bill to GLN"),
A("412", FX|DA, "N13,csum,gcppos1", NULL, NULL, NULL, "purchased from GLN"),
A("413", FX|DA, "N13,csum,gcppos1", NULL, NULL, NULL, "ship for GLN"),
A("414", FX|DA, "N13,csum,gcppos1", NULL, NULL, "254|7040", "location GLN"),
A("415", FX|DA, "N13,csum,gcppos1", "8020", NULL, "8020", "pay to GLN"),
A("416", FX|DA, "N13,csum,gcppos1", NULL, NULL, NULL, "production GLN"),
A("417", FX|DA, "N13,csum,gcppos1", NULL, NULL, "7040", "party GLN"),
A("420", DA, "X..20", NULL, "421", NULL, "ship to postcode"),
A("421", DA, "N3,iso3166 X..9", NULL, "4307", NULL, "ship to postcode"),
A("422", DA, "N3,iso3166", REQ_ITEM, "426", NULL, "country of origin"),
A("423", DA, "N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 "
    "[N3],iso3166", "01,02,03", "426", NULL, "country of initial processing"),
A("424", DA, "N3,iso3166", "01,02,03", "426", NULL, "country of processing"),
A("425", DA, "N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 "
    "[N3],iso3166", "01,02,03", "426", NULL, "country of disassembly"),
A("426", DA, "N3,iso3166", "01,02,03", NULL, NULL, "country of full process"),
A("427", DA, "X..3", "01+422,02+422,03+422", NULL, NULL,
    "origin subdivision"),
A("4300", DA, "X..35,pcenc", "00", NULL, NULL, "ship to company"),
A("4301", DA, "X..35,pcenc", "00", NULL, NULL, "ship to name"),
A("4302", DA, "X..70,pcenc", "00", NULL, NULL, "ship to address 1"),
A("4303", DA, "X..70,pcenc", "4302", NULL, NULL, "ship to address 2"),
A("4304", DA, "X..70,pcenc", "00", NULL, NULL, "ship to suburb"),
A("4305", DA, "X..70,pcenc", "00", NULL, NULL, "ship to locality"),
A("4306", DA, "X..70,pcenc", "00", NULL, NULL, "ship to region"),
A("4307", DA, "X2,iso3166alpha2", "00", NULL, NULL, "ship to country"),
A("4308", DA, "X..30", "00", NULL, NULL, "ship to phone"),
A("4309", DA, "N10,latitude N10,longitude", "00", NULL, NULL,
    "ship to geo"),
A("4310", DA, "X..35,pcenc", "00", NULL, NULL, "return to company"),
A("4311", DA, "X..35,pcenc", "00", NULL, NULL, "return to name"),
A("4312", DA, "X..70,pcenc", "00", NULL, NULL, "return to address 1"),
A("4313", DA, "X..70,pcenc", "4312", NULL, NULL, "return to address 2"),
A("4314", DA, "X..70,pcenc", "00", NULL, NULL, "return to suburb"),
A("4315", DA, "X..70,pcenc", "00", NULL, NULL, "return to locality"),
A("4316", DA, "X..70,pcenc", "00", NULL, NULL, "return to region"),
A("4317", DA, "X2,iso3166alpha2", "00", NULL, NULL, "return to country"),
A("4318", DA, "X..20", "00", NULL, NULL, "return to postcode"),
A("4319", DA, "X..30", "00", NULL, NULL, "return to phone"),
A("4320", DA, "X..35,pcenc", "00", NULL, NULL, "service description"),
A("4321", DA, "N1,yesno", "00", NULL, NULL, "dangerous goods"),
A("4322", DA, "N1,yesno", "00", NULL, NULL, "authority to leave"),
A("4323", DA, "N1,yesno", "00", NULL, NULL, "signature required"),
A("4324", DA, "N6,yymmd0 N4,hhmi", "00", NULL, NULL,
    "not before delivery date"),
A("4325", DA, "N6,yymmd0 N4,hhmi", "00", NULL, NULL,
    "not after delivery date"),
A("4326", DA, "N6,yymmdd", "00", NULL, NULL, "release date"),
A("4330", DA, "N6 [X1],hyphen", "00", "4331", NULL, "maximum temperature F"),
A("4331", DA, "N6 [X1],hyphen", "00", "4330", NULL, "maximum temperature C"),
A("4332", DA, "N6 [X1],hyphen", "00", "4333", NULL, "minimum temperature F"),
A("4333", DA, "N6 [X1],hyphen", "00", "4332", NULL, "minimum temperature C"),
A("7001", DA, "N13", "01,02,8006,8026", NULL, NULL, "NSN"),
A("7002", DA, "X..30", "01,02", NULL, NULL, "meat cut"),
A("7003", DA, "N6,yymmdd N4,hhmi", "01,02,03", NULL, NULL,
    "expiry date and time"),
A("7004", DA, "N..4", "01+10,03+10", NULL, NULL, "active potency"),
A("7005", DA, "X..12", "01,02", NULL, NULL, "catch area"),
A("7006", DA, "N6,yymmdd", "01,02", NULL, NULL, "first freeze date"),
A("7007", DA, "N6,yymmdd [N6],yymmdd", "01,02", NULL, NULL, "harvest date"),
A("7008", DA, "X..3", "01,02", NULL, NULL, "aquatic species"),
A("7009", DA, "X..10", "01,02", NULL, NULL, "fishing gear type"),
A("7010", DA, "X..2", "01,02,03", NULL, NULL, "production method"),
A("7011", DA, "N6,yymmdd [N4],hhmi", "01,02,03", NULL, NULL, "test by date"),
A("7020", DA, "X..20", "01+416,03+416,8006+416", NULL, NULL, "refurb lot"),
A("7021", DA, "X..20", "01,03,8006", NULL, NULL, "functional status"),
A("7022", DA, "X..20", "01+7021,03+7021,8006+7021", NULL, NULL,
    "revision status"),
A("7023", DA, "X..30,gcppos1", NULL, NULL, NULL, "GIAI of assembly"),
A("7030", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 0"),
A("7031", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 1"),
A("7032", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 2"),
A("7033", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 3"),
A("7034", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 4"),
A("7035", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 5"),
A("7036", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 6"),
A("7037", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 7"),
A("7038", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 8"),
A("7039", DA, "N3,iso3166999 X..27", "01,02", NULL, NULL, "processor 9"),
A("7040", 0, "N1 X1 X1 X1,importeridx", NULL, NULL, NULL, "UIC with extension"),
A("7041", 0, "X..4,packagetype", "00", NULL, NULL, "freight unit type"),
A("710", DA, "X..20", "01", NULL, NULL, "NHRN PZN"),
A("711", DA, "X..20", "01", NULL, NULL, "NHRN CIP"),
A("712", DA, "X..20", "01", NULL, NULL, "NHRN CN"),
A("713", DA, "X..20", "01", NULL, NULL, "NHRN DRN"),
A("714", DA, "X..20", "01", NULL, NULL, "NHRN AIM"),
A("715", DA, "X..20", "01", NULL, NULL, "NHRN NDC"),
A("716", DA, "X..20", "01", NULL, NULL, "NHRN AIC"),
A("717", DA, "X..20", "01", NULL, NULL, "NHRN SRN"),
A("7230", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 1"),
A("7231", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 2"),
A("7232", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 3"),
A("7233", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 4"),
A("7234", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 5"),
A("7235", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 6"),
A("7236", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 7"),
A("7237", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 8"),
A("7238", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 9"),
A("7239", DA, "X2 X..28", "01,8004", NULL, NULL, "certification 10"),
A("7240", DA, "X..20", "01,8006", "03", NULL, "protocol"),
A("7241", DA, "N2,mediatype", "8017,8018", NULL, NULL, "AIDC media type"),
A("7242", DA, "X..25", "8017,8018", NULL, NULL, "VCN"),
A("7250", DA, "N8,yyyymmdd", "8018", "7251", NULL, "date of birth"),
A("7251", DA, "N8,yyyymmdd N4,hhmi", "8018", "7250", NULL,
    "date and time of birth"),
A("7252", DA, "N1,iso5218", "8018", NULL, NULL, "biological sex"),
A("7253", DA, "X..40,pcenc", "8017,8018", "7256,7259", NULL, "family name"),
A("7254", DA, "X..40,pcenc", "8017,8018", "7256,7259", NULL, "given name"),
A("7255", DA, "X..10", "8017,8018", "7256,7259", NULL, "name suffix"),
A("7256", DA, "X..90,pcenc", "8017,8018", NULL, NULL, "full name"),
A("7257", DA, "X..70,pcenc", "8018", NULL, NULL, "person address"),
A("7258", DA, "X3,posinseqslash", "8018+7259", NULL, NULL, "birth sequence"),
A("7259", DA, "X..40,pcenc", "8018", "7256", NULL, "baby of family name"),
A("8001", DA, "N4,nonzero N5,nonzero N3,nonzero N1,winding N1", "01", NULL,
    NULL, "roll dimensions"),
A("8002", DA, "X..20", NULL, NULL, NULL, "CMT number"),
A("8003", DA, "N1,zero N13,csum,gcppos1 [X..16]", NULL, NULL, "", "GRAI"),
A("8004", DA, "X..30,gcppos1", NULL, NULL, "7040", "GIAI"),
A("8005", DA, "N6", "01,02", NULL, NULL, "price per unit"),
A("8006", DA, "N14,csum,gcppos2 N4,pieceoftotal", NULL, "01,03,37",
    "22,10,21", "ITIP"),
A("8007", DA, "X..34,iban", "415", NULL, NULL, "IBAN"),
A("8008", DA, "N6,yymmdd N2,hh [N2],mi [N2],ss", "01,02,03", NULL, NULL,
    "production date and time"),
A("8009", DA, "X..50", "00,01,03", NULL, NULL, "optically readable sensor"),
A("8010", DA, "Y..30,gcppos1", NULL, NULL, "8011", "CPID"),
A("8011", 0, "N..12,nozeroprefix", "8010", NULL, NULL, "CPID serial"),
A("8012", DA, "X..20", "01,03,8006", NULL, NULL, "software version"),
A("8013", DA, "X..25,csumalpha,gcppos1", NULL, NULL, "", "GMN"),
A("8014", 0, "X..25,csumalpha,gcppos1,hasnondigit", "01", NULL, NULL, "MUDI"),
A("8017", DA, "N18,csum,gcppos1", NULL, "8018", "8019", "GSRN provider"),
A("8018", DA, "N18,csum,gcppos1", NULL, "8017", "8019", "GSRN recipient"),
A("8019", 0, "N..10", "8017,8018", NULL, NULL, "SRIN"),
A("8020", 0, "X..25", "415", NULL, NULL, "payment slip reference"),
A("8026", DA, "N14,csum,gcppos2 N4,pieceoftotal", "37", "02,03,8006", NULL,
    "ITIP content"),
A("8030", DA, "Z..90", "00,01+21,03+21,253,255,8003,8004,8006+21,8010+8011,"
    "8017,8018", NULL, NULL, "digital signature"),
A("8040", 0, "N15", "01+21", NULL, NULL, "IMEI"),
A("8041", 0, "N15", "01+21+8040", NULL, NULL, "IMEI 2"),
A("8042", 0, "N32", "01+21+8040", NULL, NULL, "eSIM"),
A("8043", 0, "N18 [N..2]", "01+21+8040", NULL, NULL, "pSIM"),
A("8110", DA, "X..70,couponcode", NULL, NULL, NULL, "coupon code"),
A("8111", DA, "N4", "255", NULL, NULL, "loyalty points"),
A("8112", DA, "X..70,couponposoffer", NULL, NULL, NULL, "coupon offer"),
A("8200", 0, "X..70", "01", NULL, NULL, "product URL"),
A("90", DA, "X..30", NULL, NULL, NULL, "internal"),
R("91", "99", DA, "X..90", NULL, NULL, NULL, "company internal"),
};

size_t
gs1_ai_count(void)
{
	return sizeof(ai_table) / sizeof(ai_table[0]);
}

/* Lexical order of the n characters at s against the string t. */
static int
ai_cmp(const char *s, size_t n, const char *t)
{
	size_t m = strlen(t);
	int c = memcmp(s, t, n < m ? n : m);

	return c != 0 ? c : (n > m) - (n < m);
}

/* The entry for the AI spelled by the n characters at s, or NULL. */
const struct gs1_ai *
gs1_ai_find(const char *s, size_t n)
{
	size_t lo = 0, hi = gs1_ai_count(), mid;
	const struct gs1_ai *a;

	/* The table is in lexical order of lo and ranges never overlap: the
	 * only candidate is the last entry whose lo is not after s. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ai_cmp(s, n, ai_table[mid].lo) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return NULL;
	a = &ai_table[lo - 1];
	return strlen(a->lo) == n && ai_cmp(s, n, a->hi) <= 0 ? a : NULL;
}

/* The AI at the start of s (2 to 4 digits, a prefix code), or NULL. */
const struct gs1_ai *
gs1_ai_prefix(const char *s, size_t len, size_t *ailen)
{
	const struct gs1_ai *a;
	size_t n;

	for (n = 2; n <= 4 && n <= len; n++)
		if ((a = gs1_ai_find(s, n)) != NULL) {
			*ailen = n;
			return a;
		}
	return NULL;
}
