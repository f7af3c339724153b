/*
 * countries.h — country names as lists write them to ISO 3166-1 alpha-2.
 */
#ifndef CH_SCREENING_COUNTRIES_H
#define CH_SCREENING_COUNTRIES_H

/*
 * The alpha-2 code ("IQ") of a country name ("Iraq", "Korea, North",
 * "Iran (Islamic Republic of)", "Palestinian") or of a code given as such
 * ("iq"); NULL when the name is not known.  The result is static.
 */
const char *ch_country_code(const char *name);

#endif /* CH_SCREENING_COUNTRIES_H */
