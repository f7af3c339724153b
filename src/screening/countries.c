/*
 * countries.c — country names as the watchlists write them, to ISO 3166-1
 * alpha-2 codes.  The first table holds the English short names (taken
 * once from ICU's English display names and written out here so that the
 * mapping does not change with the ICU version); the second the other
 * spellings the OFAC and UN lists use ("Korea, North", "Burma",
 * "Iran (Islamic Republic of)", the adjective "Palestinian").  A name is
 * compared after folding: ASCII letters lowercased, "&" read as "and",
 * and everything else (spaces, punctuation, bytes of non-ASCII letters)
 * left out, so "Korea,  North" and "korea north" are one name; spellings
 * without accents ("Turkiye", "Cote d'Ivoire") are in the second table.
 */
#include <stdbool.h>
#include <string.h>

#include "screening/countries.h"

struct country {
	const char code[3];
	const char *name;
};

static const struct country countries[] = {
    {"AD", "Andorra"},
    {"AE", "United Arab Emirates"},
    {"AF", "Afghanistan"},
    {"AG", "Antigua & Barbuda"},
    {"AI", "Anguilla"},
    {"AL", "Albania"},
    {"AM", "Armenia"},
    {"AO", "Angola"},
    {"AQ", "Antarctica"},
    {"AR", "Argentina"},
    {"AS", "American Samoa"},
    {"AT", "Austria"},
    {"AU", "Australia"},
    {"AW", "Aruba"},
    {"AX", "Åland Islands"},
    {"AZ", "Azerbaijan"},
    {"BA", "Bosnia & Herzegovina"},
    {"BB", "Barbados"},
    {"BD", "Bangladesh"},
    {"BE", "Belgium"},
    {"BF", "Burkina Faso"},
    {"BG", "Bulgaria"},
    {"BH", "Bahrain"},
    {"BI", "Burundi"},
    {"BJ", "Benin"},
    {"BL", "St. Barthélemy"},
    {"BM", "Bermuda"},
    {"BN", "Brunei"},
    {"BO", "Bolivia"},
    {"BQ", "Caribbean Netherlands"},
    {"BR", "Brazil"},
    {"BS", "Bahamas"},
    {"BT", "Bhutan"},
    {"BV", "Bouvet Island"},
    {"BW", "Botswana"},
    {"BY", "Belarus"},
    {"BZ", "Belize"},
    {"CA", "Canada"},
    {"CC", "Cocos (Keeling) Islands"},
    {"CD", "Congo - Kinshasa"},
    {"CF", "Central African Republic"},
    {"CG", "Congo - Brazzaville"},
    {"CH", "Switzerland"},
    {"CI", "Côte d’Ivoire"},
    {"CK", "Cook Islands"},
    {"CL", "Chile"},
    {"CM", "Cameroon"},
    {"CN", "China"},
    {"CO", "Colombia"},
    {"CR", "Costa Rica"},
    {"CU", "Cuba"},
    {"CV", "Cape Verde"},
    {"CW", "Curaçao"},
    {"CX", "Christmas Island"},
    {"CY", "Cyprus"},
    {"CZ", "Czechia"},
    {"DE", "Germany"},
    {"DG", "Diego Garcia"},
    {"DJ", "Djibouti"},
    {"DK", "Denmark"},
    {"DM", "Dominica"},
    {"DO", "Dominican Republic"},
    {"DZ", "Algeria"},
    {"EA", "Ceuta & Melilla"},
    {"EC", "Ecuador"},
    {"EE", "Estonia"},
    {"EG", "Egypt"},
    {"EH", "Western Sahara"},
    {"ER", "Eritrea"},
    {"ES", "Spain"},
    {"ET", "Ethiopia"},
    {"FI", "Finland"},
    {"FJ", "Fiji"},
    {"FK", "Falkland Islands"},
    {"FM", "Micronesia"},
    {"FO", "Faroe Islands"},
    {"FR", "France"},
    {"GA", "Gabon"},
    {"GB", "United Kingdom"},
    {"GD", "Grenada"},
    {"GE", "Georgia"},
    {"GF", "French Guiana"},
    {"GG", "Guernsey"},
    {"GH", "Ghana"},
    {"GI", "Gibraltar"},
    {"GL", "Greenland"},
    {"GM", "Gambia"},
    {"GN", "Guinea"},
    {"GP", "Guadeloupe"},
    {"GQ", "Equatorial Guinea"},
    {"GR", "Greece"},
    {"GS", "South Georgia & South Sandwich Islands"},
    {"GT", "Guatemala"},
    {"GU", "Guam"},
    {"GW", "Guinea-Bissau"},
    {"GY", "Guyana"},
    {"HK", "Hong Kong SAR China"},
    {"HM", "Heard & McDonald Islands"},
    {"HN", "Honduras"},
    {"HR", "Croatia"},
    {"HT", "Haiti"},
    {"HU", "Hungary"},
    {"IC", "Canary Islands"},
    {"ID", "Indonesia"},
    {"IE", "Ireland"},
    {"IL", "Israel"},
    {"IM", "Isle of Man"},
    {"IN", "India"},
    {"IO", "British Indian Ocean Territory"},
    {"IQ", "Iraq"},
    {"IR", "Iran"},
    {"IS", "Iceland"},
    {"IT", "Italy"},
    {"JE", "Jersey"},
    {"JM", "Jamaica"},
    {"JO", "Jordan"},
    {"JP", "Japan"},
    {"KE", "Kenya"},
    {"KG", "Kyrgyzstan"},
    {"KH", "Cambodia"},
    {"KI", "Kiribati"},
    {"KM", "Comoros"},
    {"KN", "St. Kitts & Nevis"},
    {"KP", "North Korea"},
    {"KR", "South Korea"},
    {"KW", "Kuwait"},
    {"KY", "Cayman Islands"},
    {"KZ", "Kazakhstan"},
    {"LA", "Laos"},
    {"LB", "Lebanon"},
    {"LC", "St. Lucia"},
    {"LI", "Liechtenstein"},
    {"LK", "Sri Lanka"},
    {"LR", "Liberia"},
    {"LS", "Lesotho"},
    {"LT", "Lithuania"},
    {"LU", "Luxembourg"},
    {"LV", "Latvia"},
    {"LY", "Libya"},
    {"MA", "Morocco"},
    {"MC", "Monaco"},
    {"MD", "Moldova"},
    {"ME", "Montenegro"},
    {"MF", "St. Martin"},
    {"MG", "Madagascar"},
    {"MH", "Marshall Islands"},
    {"MK", "North Macedonia"},
    {"ML", "Mali"},
    {"MM", "Myanmar (Burma)"},
    {"MN", "Mongolia"},
    {"MO", "Macao SAR China"},
    {"MP", "Northern Mariana Islands"},
    {"MQ", "Martinique"},
    {"MR", "Mauritania"},
    {"MS", "Montserrat"},
    {"MT", "Malta"},
    {"MU", "Mauritius"},
    {"MV", "Maldives"},
    {"MW", "Malawi"},
    {"MX", "Mexico"},
    {"MY", "Malaysia"},
    {"MZ", "Mozambique"},
    {"NA", "Namibia"},
    {"NC", "New Caledonia"},
    {"NE", "Niger"},
    {"NF", "Norfolk Island"},
    {"NG", "Nigeria"},
    {"NI", "Nicaragua"},
    {"NL", "Netherlands"},
    {"NO", "Norway"},
    {"NP", "Nepal"},
    {"NR", "Nauru"},
    {"NU", "Niue"},
    {"NZ", "New Zealand"},
    {"OM", "Oman"},
    {"PA", "Panama"},
    {"PE", "Peru"},
    {"PF", "French Polynesia"},
    {"PG", "Papua New Guinea"},
    {"PH", "Philippines"},
    {"PK", "Pakistan"},
    {"PL", "Poland"},
    {"PM", "St. Pierre & Miquelon"},
    {"PN", "Pitcairn Islands"},
    {"PR", "Puerto Rico"},
    {"PS", "Palestinian Territories"},
    {"PT", "Portugal"},
    {"PW", "Palau"},
    {"PY", "Paraguay"},
    {"QA", "Qatar"},
    {"RE", "Réunion"},
    {"RO", "Romania"},
    {"RS", "Serbia"},
    {"RU", "Russia"},
    {"RW", "Rwanda"},
    {"SA", "Saudi Arabia"},
    {"SB", "Solomon Islands"},
    {"SC", "Seychelles"},
    {"SD", "Sudan"},
    {"SE", "Sweden"},
    {"SG", "Singapore"},
    {"SH", "St. Helena"},
    {"SI", "Slovenia"},
    {"SJ", "Svalbard & Jan Mayen"},
    {"SK", "Slovakia"},
    {"SL", "Sierra Leone"},
    {"SM", "San Marino"},
    {"SN", "Senegal"},
    {"SO", "Somalia"},
    {"SR", "Suriname"},
    {"SS", "South Sudan"},
    {"ST", "São Tomé & Príncipe"},
    {"SV", "El Salvador"},
    {"SX", "Sint Maarten"},
    {"SY", "Syria"},
    {"SZ", "Eswatini"},
    {"TC", "Turks & Caicos Islands"},
    {"TD", "Chad"},
    {"TF", "French Southern Territories"},
    {"TG", "Togo"},
    {"TH", "Thailand"},
    {"TJ", "Tajikistan"},
    {"TK", "Tokelau"},
    {"TL", "Timor-Leste"},
    {"TM", "Turkmenistan"},
    {"TN", "Tunisia"},
    {"TO", "Tonga"},
    {"TR", "Turkey"},
    {"TT", "Trinidad & Tobago"},
    {"TV", "Tuvalu"},
    {"TW", "Taiwan"},
    {"TZ", "Tanzania"},
    {"UA", "Ukraine"},
    {"UG", "Uganda"},
    {"UM", "U.S. Outlying Islands"},
    {"US", "United States"},
    {"UY", "Uruguay"},
    {"UZ", "Uzbekistan"},
    {"VA", "Vatican City"},
    {"VC", "St. Vincent & Grenadines"},
    {"VE", "Venezuela"},
    {"VG", "British Virgin Islands"},
    {"VI", "U.S. Virgin Islands"},
    {"VN", "Vietnam"},
    {"VU", "Vanuatu"},
    {"WF", "Wallis & Futuna"},
    {"WS", "Samoa"},
    {"XK", "Kosovo"},
    {"YE", "Yemen"},
    {"YT", "Mayotte"},
    {"ZA", "South Africa"},
    {"ZM", "Zambia"},
    {"ZW", "Zimbabwe"},
};

static const struct country spellings[] = {
    {"KP", "Korea, North"},
    {"KP", "Democratic People's Republic of Korea"},
    {"KP", "North Korea"},
    {"KR", "Korea, South"},
    {"KR", "Republic of Korea"},
    {"MM", "Burma"},
    {"CD", "Congo, Democratic Republic of the"},
    {"CD", "Democratic Republic of the Congo"},
    {"CD", "Congo (Kinshasa)"},
    {"CG", "Congo"},
    {"CG", "Congo, Republic of the"},
    {"CG", "Republic of the Congo"},
    {"HK", "Hong Kong"},
    {"MO", "Macau"},
    {"MO", "Macao"},
    {"PS", "Palestinian"},
    {"PS", "State of Palestine"},
    {"PS", "Palestine"},
    {"PS", "West Bank"},
    {"PS", "Gaza"},
    {"RU", "Russian Federation"},
    {"RU", "Russian"},
    {"GB", "United Kingdom of Great Britain and Northern Ireland"},
    {"GB", "Great Britain"},
    {"GB", "UK"},
    {"US", "United States of America"},
    {"US", "USA"},
    {"IR", "Iran (Islamic Republic of)"},
    {"IR", "Islamic Republic of Iran"},
    {"SY", "Syrian Arab Republic"},
    {"GM", "The Gambia"},
    {"GM", "Gambia, The"},
    {"CV", "Cabo Verde"},
    {"CV", "Cape Verde"},
    {"TZ", "United Republic of Tanzania"},
    {"MK", "Macedonia, The Former Yugoslav Republic of"},
    {"MK", "The former Yugoslav Republic of Macedonia"},
    {"MK", "Macedonia"},
    {"TR", "Turkiye"},
    {"TR", "Türkiye"},
    {"VN", "Viet Nam"},
    {"LA", "Lao People's Democratic Republic"},
    {"LA", "Laos"},
    {"BO", "Bolivia (Plurinational State of)"},
    {"VE", "Venezuela (Bolivarian Republic of)"},
    {"VE", "Bolivarian Republic of Venezuela"},
    {"MD", "Republic of Moldova"},
    {"CI", "Cote d'Ivoire"},
    {"CI", "Ivory Coast"},
    {"BN", "Brunei Darussalam"},
    {"CZ", "Czech Republic"},
    {"SZ", "Swaziland"},
    {"TL", "East Timor"},
    {"FM", "Micronesia, Federated States of"},
    {"VA", "Holy See"},
    {"KN", "Saint Kitts and Nevis"},
    {"VC", "Saint Vincent and the Grenadines"},
    {"TT", "Trinidad and Tobago"},
    {"BA", "Bosnia and Herzegovina"},
    {"AG", "Antigua and Barbuda"},
    {"ST", "Sao Tome and Principe"},
    {"TW", "Taiwan, Province of China"},
    {"LY", "Libyan Arab Jamahiriya"},
    {"YE", "Yemen, Republic of"},
};

#define FOLD_MAX 96

/* Fold s into out (see the top of the file); false when it is too long. */
static bool
fold(const char *s, char out[FOLD_MAX])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		const char *add = NULL;
		char one[2] = {0, 0};

		if (c >= 'A' && c <= 'Z')
			one[0] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			one[0] = (char)c;
		else if (c == '&')
			add = "and";
		if (one[0] != '\0')
			add = one;
		if (add == NULL)
			continue;
		for (; *add != '\0'; add++) {
			if (n + 1 >= FOLD_MAX)
				return false;
			out[n++] = *add;
		}
	}
	out[n] = '\0';
	return n > 0;
}

static const char *
find(const struct country *t, size_t n, const char *folded)
{
	char key[FOLD_MAX];

	for (size_t i = 0; i < n; i++)
		if (fold(t[i].name, key) && strcmp(key, folded) == 0)
			return t[i].code;
	return NULL;
}

const char *
ch_country_code(const char *name)
{
	char folded[FOLD_MAX];
	const char *code;

	if (name == NULL || !fold(name, folded))
		return NULL;
	/* Already a code: "IQ", "iq". */
	if (strlen(name) == 2) {
		char up[3] = {(char)(folded[0] - 'a' + 'A'),
		    (char)(folded[1] - 'a' + 'A'), 0};

		for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]);
		     i++)
			if (strcmp(countries[i].code, up) == 0)
				return countries[i].code;
		return NULL;
	}
	code =
	    find(countries, sizeof(countries) / sizeof(countries[0]), folded);
	if (code == NULL)
		code = find(spellings, sizeof(spellings) / sizeof(spellings[0]),
		    folded);
	return code;
}
