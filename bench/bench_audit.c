/*
 * bench_audit.c — what the audit log costs, each figure beside a baseline
 * measured in the same run, as a ratio of medians.
 *
 *   writes   write transactions per second, each a one-row update (what a
 *            small use case does) plus its audit record, with the
 *            checkpoint thread signing every 1000 records, against the
 *            same transactions without the audit record, in alternating
 *            slices of 125 ms
 *   batch    audit records per second appended 1000 to a transaction (the
 *            ceiling of the appender itself)
 *   verify   records per second `chancery audit verify` checks (leaf
 *            recomputed, tree, checkpoints) over a 100,000-record log,
 *            against raw SHA-256 of the same number of entry-sized inputs
 *
 * Usage: bench_audit [DSN] [ROUNDS]  (default a temporary SQLite file, 5)
 * The SQLite file runs as a post does: WAL, synchronous=FULL.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "store/store_int.h"

#define ROUND_MS 1000
#define SLICE_MS 125 /* plain and audited writes alternate this often */
#define SLICES_PER_ROUND 8
#define VERIFY_RECORDS 100000

static struct ch_store *store;
static struct ch_ctx ctx;

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what, ch_err err)
{
	fprintf(stderr, "bench_audit: %s: %s\n", what, ch_strerror(err));
	exit(1);
}

static void
append(struct ch_tx *tx, int64_t i)
{
	char object[32], state[64];
	struct ch_audit_entry e = {"person.update", "person", object,
	    "0191e7a0-0000-7000-8000-00000000000a", state, 0};
	ch_err err;

	snprintf(object, sizeof(object), "0191e7a0-%08lld", (long long)i);
	e.state_len = (size_t)snprintf(state, sizeof(state),
	    "{\"id\":\"%s\",\"version\":%lld}", object, (long long)i);
	if ((err = ch_audit_append(tx, &ctx, &e)) != CH_OK)
		die("append", err);
}

/* Transactions per second for SLICE_MS: an update, and a record when
 * audited.  Slices alternate, so that the machine's drift (fsync times
 * vary a lot on shared disks) hits both alike. */
static double
write_rate(bool audited)
{
	struct ch_param p = CH_P_INT(1);
	int64_t t0 = ch_clock_mono_ms(), n = 0;
	struct ch_tx *tx;
	ch_err err;

	while (ch_clock_mono_ms() - t0 < SLICE_MS) {
		if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
			die("begin", err);
		if ((err = ch_tx_query(tx,
			 "UPDATE bench_counter SET n = n + 1 WHERE id = $1", &p,
			 1, NULL, NULL)) != CH_OK)
			die("update", err);
		if (audited)
			append(tx, n);
		if ((err = ch_store_commit(tx)) != CH_OK)
			die("commit", err);
		n++;
	}
	return (double)n * 1000.0 / (double)(ch_clock_mono_ms() - t0);
}

static double
batch_rate(void)
{
	int64_t t0 = ch_clock_mono_ms(), n = 0;
	struct ch_tx *tx;
	ch_err err;

	while (ch_clock_mono_ms() - t0 < ROUND_MS) {
		if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
			die("begin", err);
		for (int i = 0; i < 1000; i++)
			append(tx, n++);
		if ((err = ch_store_commit(tx)) != CH_OK)
			die("commit", err);
	}
	return (double)n * 1000.0 / (double)(ch_clock_mono_ms() - t0);
}

int
main(int argc, char **argv)
{
	char path[64], dsn_buf[96];
	const char *dsn = argc > 1 && *argv[1] != '\0' ? argv[1] : NULL;
	long rounds = 5;
	struct ch_note_signer *key;
	struct ch_note_verifier pub;
	struct ch_audit_checkpointer *cp = NULL;
	struct ch_audit_verify_report rep;
	double with[32 * SLICES_PER_ROUND], without[32 * SLICES_PER_ROUND];
	double batch[32], verify[32], raw[32];
	int64_t size, last = 0;
	struct ch_tx *tx;
	ch_err err;

	if (argc > 2 && !ch_parse_long(argv[2], 1, 32, &rounds)) {
		fprintf(stderr, "usage: bench_audit [DSN] [ROUNDS 1-32]\n");
		return 2;
	}
	ch_log_set_quiet(true);
	if (sodium_init() < 0)
		return 1;
	if (dsn == NULL) {
		snprintf(path, sizeof(path), "/tmp/ch-bench-audit-%d.db",
		    (int)getpid());
		snprintf(dsn_buf, sizeof(dsn_buf), "sqlite:%s", path);
		dsn = dsn_buf;
	}
	if ((err = ch_store_open(dsn, 4, &store)) != CH_OK)
		die("open", err);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.request_id = "0123456789abcdef0123456789abcdef";
	ctx.source = "192.0.2.17";
	key = ch_note_signer_new();
	if (key == NULL || ch_note_signer_generate(key, "bench.invalid/log"))
		return 1;
	ch_note_signer_verifier(key, &pub);
	if ((err = ch_store_begin(store, true, &tx)) != CH_OK ||
	    (err = ch_tx_query(tx,
		 "CREATE TABLE IF NOT EXISTS bench_counter (id INTEGER "
		 "PRIMARY KEY, n BIGINT NOT NULL)",
		 NULL, 0, NULL, NULL)) != CH_OK ||
	    (err = ch_tx_query(tx,
		 "INSERT INTO bench_counter (id, n) VALUES (1, 0) ON "
		 "CONFLICT (id) DO NOTHING",
		 NULL, 0, NULL, NULL)) != CH_OK ||
	    (err = ch_store_commit(tx)) != CH_OK)
		die("bench table", err);

	printf("== audit: write transactions/s with and without the audit "
	       "record (%s), median of %ld alternating %d ms slices\n",
	    ch_store_engine(store), rounds * SLICES_PER_ROUND, SLICE_MS);
	if ((err = ch_audit_checkpointer_start(
		 store, key, NULL, 1000, 60, &cp)) != CH_OK)
		die("checkpointer", err);
	for (long r = 0; r < rounds * SLICES_PER_ROUND; r++) {
		without[r] = write_rate(false);
		with[r] = write_rate(true);
	}
	ch_audit_checkpointer_stop(cp);
	{
		double w = median(with, rounds * SLICES_PER_ROUND);
		double wo = median(without, rounds * SLICES_PER_ROUND);

		printf("  audited writes   %10.0f records/s\n"
		       "  plain writes     %10.0f tx/s (baseline)\n"
		       "  ratio            %10.2f\n",
		    w, wo, w / wo);
	}

	printf("== audit: records/s appended 1000 per transaction\n");
	for (long r = 0; r < rounds; r++)
		batch[r] = batch_rate();
	printf("  batch append     %10.0f records/s\n", median(batch, rounds));

	/* Grow the log to VERIFY_RECORDS and sign it. */
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK ||
	    (err = ch_store_audit_last_seq(tx, &last)) != CH_OK)
		die("size", err);
	ch_store_rollback(tx);
	for (int64_t n = last, batches = 0; n < VERIFY_RECORDS; batches++) {
		if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
			die("begin", err);
		for (int i = 0; i < 1000 && n < VERIFY_RECORDS; i++)
			append(tx, n++);
		if ((err = ch_store_commit(tx)) != CH_OK)
			die("commit", err);
		if (batches % 10 == 9 &&
		    (err = ch_audit_checkpoint(store, key, NULL, &size)) !=
			CH_OK)
			die("checkpoint", err);
	}
	if ((err = ch_audit_checkpoint(store, key, NULL, &size)) != CH_OK)
		die("checkpoint", err);

	printf("== audit: verify records/s against raw SHA-256 of "
	       "entry-sized inputs, median of %ld\n",
	    rounds);
	for (long r = 0; r < rounds; r++) {
		unsigned char in[300], out[32];
		struct ch_audit_record *recs;
		struct ch_buf text;
		size_t n, entry = 250;
		int64_t t0;

		/* The real entry size, from the first record. */
		ctx.arena = ch_arena_create(0);
		ch_buf_init(&text, 4096);
		if (ch_store_begin(store, false, &tx) == CH_OK) {
			if (ch_store_audit_range(
				tx, 1, 1, ctx.arena, &recs, &n) == CH_OK &&
			    n == 1 &&
			    ch_audit_entry_text(&recs[0], &text) == CH_OK)
				entry = text.len;
			ch_store_rollback(tx);
		}
		ch_buf_free(&text);
		ch_arena_destroy(ctx.arena);
		ctx.arena = NULL;
		if (entry > sizeof(in))
			entry = sizeof(in);

		t0 = ch_clock_mono_ms();
		if ((err = ch_store_begin(store, false, &tx)) != CH_OK ||
		    (err = ch_audit_verify(tx, &pub, NULL, &rep)) != CH_OK)
			die("verify", err);
		ch_store_rollback(tx);
		if (!rep.ok) {
			fprintf(stderr, "bench_audit: %s\n", rep.problem);
			return 1;
		}
		verify[r] = (double)rep.records * 1000.0 /
		    (double)(ch_clock_mono_ms() - t0 + 1);

		memset(in, 'a', sizeof(in));
		t0 = ch_clock_mono_ms();
		for (int64_t i = 0; i < rep.records; i++) {
			in[0] = (unsigned char)i;
			crypto_hash_sha256(out, in, entry);
			in[1] ^= out[0];
		}
		raw[r] = (double)rep.records * 1000.0 /
		    (double)(ch_clock_mono_ms() - t0 + 1);
	}
	{
		double v = median(verify, rounds), s = median(raw, rounds);

		printf("  audit verify     %10.0f records/s (%lld records, "
		       "%lld checkpoints)\n"
		       "  raw SHA-256      %10.0f hashes/s (baseline)\n"
		       "  ratio            %10.3f\n",
		    v, (long long)rep.records, (long long)rep.checkpoints, s,
		    v / s);
	}
	ch_note_signer_free(key);
	ch_store_close(store);
	if (dsn == dsn_buf) {
		char extra[96];

		unlink(path);
		snprintf(extra, sizeof(extra), "%s-wal", path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", path);
		unlink(extra);
	}
	return 0;
}
