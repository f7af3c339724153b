// kill9.test.mjs — crash safety: while clients create people as fast as they
// can, the server is killed with SIGKILL; after a restart every person whose
// creation was acknowledged (201) is there, and the audit log is whole: as
// many records as its head says, numbered without gaps, one person.create
// record for every person.  Runs on SQLite, or on the PostgreSQL database in
// CH_TEST_DSN.
//
//   CH_BIN=build/chancery node --test tests/fault/
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = process.env.CH_BIN || 'build/chancery';
const DSN = process.env.CH_TEST_DSN || '';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(dir) {
	const port = join(dir, 'port');
	rmSync(port, { force: true });
	const args = ['demo', '--dir', dir, '--listen', '127.0.0.1:0', '--port-file', port, '--quiet'];
	if (DSN) args.push('--db', DSN);
	const child = spawn(BIN, args, { stdio: 'ignore' });
	for (let i = 0; i < 300 && !existsSync(port); i++) await sleep(50);
	const text = readFileSync(port, 'utf8').trim();
	return { child, base: `https://127.0.0.1:${text}` };
}

async function login(base) {
	const r = await fetch(`${base}/api/v1/auth/login`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username: 'rso', password: 'rso-demo-passphrase' }),
	});
	assert.equal(r.status, 200);
	const cookie = r.headers.getSetCookie()[0].split(';')[0];
	return { cookie, csrf: (await r.json()).csrf_token };
}

// Ask the database itself, with its own client.
function sql(dir, query) {
	if (DSN)
		return execFileSync('psql', ['-At', '-d', DSN, '-c', query], { encoding: 'utf8' }).trim();
	return execFileSync('sqlite3', [join(dir, 'chancery.db'), query], { encoding: 'utf8' }).trim();
}

test('SIGKILL during writes loses nothing acknowledged and leaves the audit log whole', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'chancery-kill9-'));
	let server = await start(dir);
	try {
		const s = await login(server.base);
		const posts = await (await fetch(`${server.base}/api/v1/posts`, { headers: { Cookie: s.cookie } })).json();
		const postId = posts.items[0].id;
		const acknowledged = [];
		let stop = false;
		let n = 0;
		const worker = async () => {
			while (!stop) {
				const i = n++;
				try {
					const r = await fetch(`${server.base}/api/v1/people`, {
						method: 'POST',
						headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
						body: JSON.stringify({
							post_id: postId, given_name: `Crash${i}`, family_name: 'Test',
							category: 'contractor', nationality: 'FR', position: 'kill9 fixture',
						}),
					});
					if (r.status === 201) acknowledged.push((await r.json()).id);
				} catch { /* the server died mid-request: not acknowledged */ }
			}
		};
		const workers = Array.from({ length: 8 }, worker);
		await sleep(1500);
		server.child.kill('SIGKILL');
		await sleep(100);
		stop = true;
		await Promise.all(workers);
		assert.ok(acknowledged.length >= 20, `only ${acknowledged.length} writes before the kill`);
		console.log(`${acknowledged.length} acknowledged, ${n} sent before the kill`);

		server = await start(dir);
		const s2 = await login(server.base);
		const missing = [];
		for (const id of acknowledged) {
			const r = await fetch(`${server.base}/api/v1/people/${id}`, { headers: { Cookie: s2.cookie } });
			if (r.status !== 200) missing.push(`${id}: ${r.status}`);
		}
		assert.deepEqual(missing, [], 'every acknowledged person is there after the crash');

		const head = Number(sql(dir, 'SELECT size FROM audit_head WHERE id = 1'));
		const rows = Number(sql(dir, 'SELECT COUNT(*) FROM audit_log'));
		const top = Number(sql(dir, 'SELECT MAX(seq) FROM audit_log'));
		assert.equal(rows, head, 'as many records as the head says');
		assert.equal(top, head, 'numbered without gaps');
		const people = Number(sql(dir, "SELECT COUNT(*) FROM people WHERE position = 'kill9 fixture'"));
		const creates = Number(sql(dir,
			"SELECT COUNT(*) FROM audit_log a JOIN people p ON p.id = a.object_id" +
			" WHERE a.action = 'person.create' AND p.position = 'kill9 fixture'"));
		assert.ok(people >= acknowledged.length);
		assert.equal(creates, people, 'one audit record for every person written');
	} finally {
		server.child.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
