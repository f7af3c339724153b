/*
 * tls.c — a self-signed certificate for a new post, made with GnuTLS: an
 * ECDSA P-256 key and an X.509 certificate for localhost and 127.0.0.1,
 * valid for a year.  A post that has a certificate from its own CA
 * replaces the two files.
 */
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

static ch_err
write_pem(const char *path, const gnutls_datum_t *pem, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0) {
		log_error("cannot write %s", path);
		return CH_ERR_IO;
	}
	/* A file that was there keeps its mode through O_CREAT: the private
	 * key must not stay readable by others. */
	if (fchmod(fd, mode) != 0) {
		close(fd);
		log_error("cannot set the mode of %s", path);
		return CH_ERR_IO;
	}
	n = write(fd, pem->data, pem->size);
	if (n != (ssize_t)pem->size || fsync(fd) != 0) {
		close(fd);
		log_error("cannot write %s", path);
		return CH_ERR_IO;
	}
	close(fd);
	return CH_OK;
}

ch_err
ch_tls_generate(
    const char *cert_path, const char *key_path, const char *common_name)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t key_pem = {NULL, 0}, crt_pem = {NULL, 0};
	unsigned char serial[16], ip[4] = {127, 0, 0, 1};
	time_t now = time(NULL);
	ch_err err = CH_ERR_CRYPTO;

	ch_random_bytes(serial, sizeof(serial));
	serial[0] &= 0x7f;
	if (gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
		goto out;
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + 365 * 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
		common_name, (unsigned)strlen(common_name)) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_subject_alt_name(
		crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_SET) < 0 ||
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip,
		sizeof(ip), GNUTLS_FSAN_APPEND) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) <
		0 ||
	    gnutls_x509_crt_set_key_purpose_oid(
		crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		goto out;
	if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &key_pem) <
		0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &crt_pem) < 0)
		goto out;
	if ((err = write_pem(key_path, &key_pem, 0600)) != CH_OK ||
	    (err = write_pem(cert_path, &crt_pem, 0644)) != CH_OK)
		goto out;
	err = CH_OK;
out:
	if (err == CH_ERR_CRYPTO)
		log_error("could not make a TLS certificate");
	if (key_pem.data != NULL) {
		explicit_bzero(key_pem.data, key_pem.size);
		gnutls_free(key_pem.data);
	}
	gnutls_free(crt_pem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return err;
}
