// audit.test.mjs — the audit log's API, checked by an implementation of its
// own: the checkpoint is a C2SP signed note whose Ed25519 signature verifies
// (node:crypto) with the post's DIR/keys/audit.pub; every record's leaf
// recomputes from the record's fields (the entry text of docs/audit.md);
// inclusion and consistency proofs verify with the RFC 9162 algorithms
// written again here.  Who may read, bad queries, and that reading is itself
// recorded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { CH_BIN, DSN, assertProblem, get, login, server } from './harness.mjs';

before(server);

const sha256 = (...parts) => {
	const h = createHash('sha256');
	for (const p of parts) h.update(p);
	return h.digest();
};
const node = (l, r) => sha256(Buffer.from([1]), l, r);
const b64 = (s) => Buffer.from(s, 'base64');

// The entry text of a record (docs/audit.md) and its leaf hash.
function leafOf(r) {
	const esc = (v) => (v ?? '').toString().replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
	const fields = [['seq', r.seq], ['time', r.time], ['actor', r.actor], ['post', r.post_id],
		['action', r.action], ['object_type', r.object_type], ['object_id', r.object_id],
		['request_id', r.request_id], ['source', r.source], ['state_hash', r.state_hash]];
	const text = fields.map(([k, v]) => `${k}=${esc(v)}\n`).join('');
	return sha256(Buffer.from([0]), Buffer.from(text, 'utf8'));
}

// RFC 9162 2.1.3.2
function verifyInclusion(index, size, leaf, proof, root) {
	if (index >= size) return false;
	let fn = BigInt(index), sn = BigInt(size - 1), r = leaf;
	for (const p of proof) {
		if (sn === 0n) return false;
		if ((fn & 1n) === 1n || fn === sn) {
			r = node(p, r);
			if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
		} else {
			r = node(r, p);
		}
		fn >>= 1n; sn >>= 1n;
	}
	return sn === 0n && r.equals(root);
}

// RFC 9162 2.1.4.2
function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
	if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
	if (first === 0 || first > second || proof.length === 0) return false;
	let path = proof;
	if ((first & (first - 1)) === 0) path = [firstRoot, ...proof];
	let fn = BigInt(first - 1), sn = BigInt(second - 1);
	while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
	let fr = path[0], sr = path[0];
	for (const c of path.slice(1)) {
		if (sn === 0n) return false;
		if ((fn & 1n) === 1n || fn === sn) {
			fr = node(c, fr); sr = node(c, sr);
			if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
		} else {
			sr = node(sr, c);
		}
		fn >>= 1n; sn >>= 1n;
	}
	return sn === 0n && fr.equals(firstRoot) && sr.equals(secondRoot);
}

// The post's verifier key: NAME+HEXID+base64(0x01 || key).
function verifierKey(dir) {
	const line = readFileSync(join(dir, 'keys', 'audit.pub'), 'utf8').trim();
	const [name, id] = line.split('+', 2);
	const key = line.slice(name.length + id.length + 2); // base64 may hold '+'

	const raw = b64(key);
	assert.equal(raw[0], 1);
	const pk = raw.subarray(1);
	const want = sha256(Buffer.from(`${name}\n`), Buffer.from([1]), pk).subarray(0, 4).toString('hex');
	assert.equal(id, want, 'key id = SHA-256(name || LF || 0x01 || key)[:4]');
	const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pk.toString('base64url') }, format: 'jwk' });
	return { name, id: Buffer.from(id, 'hex'), publicKey };
}

async function checkpoint(session) {
	for (let i = 0; i < 60; i++) {
		const r = await get(session, '/api/v1/audit/checkpoint', { Accept: 'text/plain' });
		if (r.status === 200) return r;
		await new Promise((ok) => setTimeout(ok, 100));
	}
	assert.fail('no checkpoint within 6 s of the start');
}

describe('checkpoints', () => {
	test('the latest checkpoint is a C2SP signed note that verifies with audit.pub', async () => {
		const info = await server();
		const key = verifierKey(info.dir);
		const rso = await login('rso');
		const r = await checkpoint(rso);
		assert.match(r.type, /^text\/plain/);
		const split = r.text.lastIndexOf('\n\n');
		const text = r.text.slice(0, split + 1);
		const [origin, size, root, ...ext] = text.slice(0, -1).split('\n');
		assert.equal(origin, key.name);
		assert.match(size, /^[1-9][0-9]*$/);
		assert.equal(b64(root).length, 32);
		assert.deepEqual(ext, []);
		const sigs = r.text.slice(split + 2).split('\n').filter(Boolean);
		const mine = sigs.find((l) => l.startsWith(`\u2014 ${key.name} `));
		assert.ok(mine, r.text);
		const sig = b64(mine.split(' ')[2]);
		assert.ok(sig.subarray(0, 4).equals(key.id), 'the signature names the key id');
		assert.ok(verify(null, Buffer.from(text, 'utf8'), key.publicKey, sig.subarray(4)), 'Ed25519 signature');
		const tampered = text.replace(`\n${size}\n`, `\n${Number(size) + 1}\n`);
		assert.ok(!verify(null, Buffer.from(tampered, 'utf8'), key.publicKey, sig.subarray(4)));

		const star = await get(rso, '/api/v1/audit/checkpoint', { Accept: 'text/*' });
		assert.equal(star.status, 200, star.text);
		assert.match(star.type, /^text\/plain/);
		assertProblem(await get(rso, '/api/v1/audit/checkpoint', { Accept: 'image/png' }), 406, 'not-acceptable');
		const doc = await get(rso, '/api/v1/openapi.json');
		assert.ok(doc.json.paths['/api/v1/audit/checkpoint'].get.responses['200'].content['text/plain']);

		const j = await get(rso, '/api/v1/audit/checkpoint');
		assert.equal(j.status, 200, j.text);
		assert.equal(j.json.origin, origin);
		assert.ok(j.json.size >= Number(size));
		assert.match(j.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.ok(j.json.note.startsWith(`${origin}\n${j.json.size}\n${j.json.root_hash}\n\n`));
	});

	test('only the security officer, HQ and administrators read the audit log', async () => {
		for (const user of ['rso', 'hq', 'admin']) {
			const r = await get(await login(user), '/api/v1/audit/records?limit=1');
			assert.equal(r.status, 200, `${user}: ${r.text}`);
		}
		for (const user of ['analyst', 'guard', 'staff', 'eac']) {
			for (const path of ['/api/v1/audit/checkpoint', '/api/v1/audit/records',
				'/api/v1/audit/proof/inclusion?index=0', '/api/v1/audit/proof/consistency?from=1'])
				assertProblem(await get(await login(user), path), 403, 'forbidden');
		}
		assertProblem(await get(null, '/api/v1/audit/checkpoint'), 401, 'unauthenticated');
	});
});

describe('records and proofs', () => {
	test('a record of no post (an HQ sign-in, with its address) is shown whole to readers of every post only', async () => {
		const hq = await login('hq', { fresh: true });
		const head = (await get(hq, '/api/v1/audit/checkpoint')).json;
		assert.ok(head);
		let mine;
		for (let from = 1, next = 1; next; from = next) {
			const page = await get(hq, `/api/v1/audit/records?from=${from}&limit=1000`);
			assert.equal(page.status, 200, page.text);
			for (const rec of page.json.items)
				if (rec.action === 'session.login' && rec.actor === 'hq' && rec.post_id === null) mine = rec;
			next = page.json.next_from;
		}
		assert.ok(mine, 'the HQ sign-in is recorded, with no post');
		assert.equal(mine.redacted, false);
		assert.ok(mine.source, 'HQ reads its address');
		const seen = await get(await login('rso'), `/api/v1/audit/records?from=${mine.seq}&limit=1`);
		assert.equal(seen.status, 200, seen.text);
		const rec = seen.json.items[0];
		assert.equal(rec.seq, mine.seq);
		assert.equal(rec.redacted, true, 'a post\'s officer sees only its leaf');
		assert.equal(rec.leaf_hash, mine.leaf_hash);
		assert.equal(rec.source ?? null, null);
		assert.equal(rec.actor ?? null, null);
	});

	test('every leaf recomputes, and inclusion proofs verify against the signed root', async () => {
		const rso = await login('rso');
		const cp = (await get(rso, '/api/v1/audit/checkpoint')).json;
		const root = b64(cp.root_hash);
		const recs = await get(rso, `/api/v1/audit/records?from=1&limit=${Math.min(cp.size, 1000)}`);
		assert.equal(recs.status, 200, recs.text);
		assert.equal(recs.json.items[0].seq, 1);
		const picks = new Set([0, 1, cp.size - 1, Math.floor(cp.size / 2), Math.floor(cp.size / 3)]);
		for (const rec of recs.json.items) {
			if (rec.redacted) continue;
			assert.equal(leafOf(rec).toString('hex'), rec.leaf_hash, `record ${rec.seq}`);
		}
		for (const index of picks) {
			const p = await get(rso, `/api/v1/audit/proof/inclusion?index=${index}&size=${cp.size}`);
			assert.equal(p.status, 200, p.text);
			assert.equal(p.json.root_hash, cp.root_hash);
			const rec = recs.json.items[index];
			if (rec) assert.equal(b64(p.json.leaf_hash).toString('hex'), rec.leaf_hash);
			const proof = p.json.proof.map(b64);
			assert.ok(verifyInclusion(index, cp.size, b64(p.json.leaf_hash), proof, root), `PATH(${index}, ${cp.size})`);
			if (proof.length > 0) {
				proof[0] = Buffer.from(proof[0]);
				proof[0][0] ^= 1;
				assert.ok(!verifyInclusion(index, cp.size, b64(p.json.leaf_hash), proof, root));
			}
		}
		// Without size: the latest checkpoint's.
		const d = await get(rso, '/api/v1/audit/proof/inclusion?index=0');
		assert.equal(d.status, 200, d.text);
		assert.ok(d.json.size >= cp.size);
	});

	test('consistency proofs from every earlier size verify', async () => {
		const rso = await login('rso');
		const cp = (await get(rso, '/api/v1/audit/checkpoint')).json;
		const root = b64(cp.root_hash);
		const sizes = new Set([1, 2, 3, Math.max(1, cp.size - 1), Math.floor(cp.size / 2), cp.size]);
		for (const from of sizes) {
			const p = await get(rso, `/api/v1/audit/proof/consistency?from=${from}&to=${cp.size}`);
			assert.equal(p.status, 200, p.text);
			assert.equal(p.json.to_root, cp.root_hash);
			const incl = await get(rso, `/api/v1/audit/proof/inclusion?index=0&size=${from}`);
			assert.equal(incl.json.root_hash, p.json.from_root, 'the same tree of that size');
			assert.ok(verifyConsistency(from, cp.size, b64(p.json.from_root), root, p.json.proof.map(b64)),
				`PROOF(${from}, ${cp.size})`);
		}
	});

	test('bad ranges and sizes are refused with a reason', async () => {
		const rso = await login('rso');
		assertProblem(await get(rso, '/api/v1/audit/proof/inclusion'), 400, 'bad-query', 'Give index.', 'index');
		assertProblem(await get(rso, '/api/v1/audit/proof/inclusion?index=x'), 400, 'bad-query', undefined, 'index');
		assertProblem(await get(rso, '/api/v1/audit/proof/inclusion?index=0&size=999999999'), 400, 'bad-query',
			/^The tree size must be 1 to \d+/, 'size');
		assertProblem(await get(rso, '/api/v1/audit/proof/inclusion?index=5&size=5'), 400, 'bad-query', undefined, 'index');
		assertProblem(await get(rso, '/api/v1/audit/proof/consistency?from=0'), 400, 'bad-query', undefined, 'from');
		assertProblem(await get(rso, '/api/v1/audit/proof/consistency?from=9&to=3'), 400, 'bad-query', undefined, 'from');
		assertProblem(await get(rso, '/api/v1/audit/records?limit=1001'), 400, 'bad-query', undefined, 'limit');
		assertProblem(await get(rso, '/api/v1/audit/records?from=0'), 400, 'bad-query', undefined, 'from');
	});

	test('reading the audit log is itself recorded, as audit.read', async () => {
		const rso = await login('rso');
		const r = await get(rso, '/api/v1/audit/proof/inclusion?index=0&size=1');
		assert.equal(r.status, 200, r.text);
		const requestId = r.headers.get('x-request-id');
		let from = 1, found = null;
		for (;;) {
			const page = await get(rso, `/api/v1/audit/records?from=${from}&limit=1000`);
			assert.equal(page.status, 200, page.text);
			found = page.json.items.find((x) => x.request_id === requestId) ?? found;
			if (page.json.next_from === null) break;
			from = page.json.next_from;
		}
		assert.ok(found, 'a record of the read');
		assert.equal(found.action, 'audit.read');
		assert.equal(found.actor, 'rso');
		assert.equal(found.object_type, 'audit');
		assert.equal(found.object_id, 'inclusion/0@1');
	});
});

describe('chancery audit', () => {
	test('verify checks the running post\'s log with its public key and exits 0', async () => {
		const info = await server();
		const rso = await login('rso');
		await checkpoint(rso);
		const db = DSN ? ['--db', DSN] : [];
		const r = spawnSync(CH_BIN, ['audit', 'verify', '--dir', info.dir, ...db], { encoding: 'utf8' });
		assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
		assert.match(r.stdout, /^the audit log verifies: \d+ records, \d+ checkpoints signed by demo\.chancery\.invalid\/embassy-in-nairobi/);
		const c = spawnSync(CH_BIN, ['audit', 'checkpoint', '--dir', info.dir, ...db], { encoding: 'utf8' });
		assert.equal(c.status, 0, c.stderr);
		assert.match(c.stdout, /^demo\.chancery\.invalid\/embassy-in-nairobi\n[1-9]\d*\n[A-Za-z0-9+/]{43}=\n\n\u2014 /);
		// Another key is refused, with exit status 1 and the reason.
		const other = join(info.dir, 'other.pub');
		const name = 'demo.chancery.invalid/embassy-in-nairobi';
		const pk = Buffer.alloc(32, 7);
		const id = sha256(Buffer.from(`${name}\n`), Buffer.from([1]), pk).subarray(0, 4).toString('hex');
		writeFileSync(other, `${name}+${id}+${Buffer.concat([Buffer.from([1]), pk]).toString('base64')}\n`);
		const bad = spawnSync(CH_BIN, ['audit', 'verify', '--dir', info.dir, ...db, '--key', other], { encoding: 'utf8' });
		assert.equal(bad.status, 1, bad.stdout);
		assert.match(bad.stderr, /the audit log does NOT verify: checkpoint at size \d+ is not signed by the post's key/);
		const usage = spawnSync(CH_BIN, ['audit', 'frobnicate'], { encoding: 'utf8' });
		assert.equal(usage.status, 2);
	});
});
