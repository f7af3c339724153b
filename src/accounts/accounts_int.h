/*
 * accounts_int.h — shared by the files of src/accounts only: password
 * hashing behind the limiter, the dummy hash, the second-factor rule.
 */
#ifndef CH_ACCOUNTS_INT_H
#define CH_ACCOUNTS_INT_H

#include <sodium.h>

#include "accounts/accounts.h"

extern const char ch_dummy_hash[crypto_pwhash_STRBYTES];
ch_err ch_hash_password(const char *password, char out[crypto_pwhash_STRBYTES]);
bool ch_verify_password(const char *hash, const char *password);
/* Whether the user must use a second factor (post rule or default). */
bool ch_second_factor_required(struct ch_tx *tx, const struct ch_user *u);

#endif /* CH_ACCOUNTS_INT_H */
