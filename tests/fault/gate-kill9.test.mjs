// gate-kill9.test.mjs — crash safety of the gate: while readers send badge
// swipes as fast as they can (group commit on, so decisions share
// transactions), the server is killed with SIGKILL; after a restart every
// decision whose answer was received is in the access log with its audit
// record, the events are numbered without gaps, and occupancy (who is in which
// zone) is exactly what the granted events say.  Half the readers use the
// main port, half the device listener (--device-listen).  Runs on SQLite, or on the
// PostgreSQL database in CH_TEST_DSN.
//
//   CH_BIN=build/chancery node --test tests/fault/
//   CH_GROUP_COMMIT=pipelined CH_BIN=build/chancery node --test tests/fault/gate-kill9.test.mjs
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
const db = () => (DSN ? ['--db', DSN] : []);
// CH_GROUP_COMMIT=pipelined runs the same test on the pipelined committer.
const GROUP_COMMIT = process.env.CH_GROUP_COMMIT ? ['--group-commit', process.env.CH_GROUP_COMMIT] : [];

async function start(dir) {
	const port = join(dir, 'port');
	rmSync(port, { force: true });
	const args = ['demo', '--dir', dir, '--listen', '127.0.0.1:0', '--port-file', port, '--quiet',
		'--device-listen', '127.0.0.1:0', '--threads', '16', ...db(), ...GROUP_COMMIT];
	const child = spawn(BIN, args, { stdio: 'ignore' });
	// The main port, then the device listener's, each on a line.
	let lines = [];
	for (let i = 0; i < 600 && lines.length < 3; i++) {
		if (existsSync(port)) lines = readFileSync(port, 'utf8').split('\n');
		if (lines.length < 3) await sleep(50);
	}
	return { child, base: `https://127.0.0.1:${lines[0]}`, deviceBase: `https://127.0.0.1:${lines[1]}` };
}

// Ask the database itself, with its own client.
function sql(dir, query) {
	if (DSN)
		return execFileSync('psql', ['-At', '-F', '|', '-d', DSN, '-c', query], { encoding: 'utf8' }).trim();
	return execFileSync('sqlite3', [join(dir, 'chancery.db'), query], { encoding: 'utf8' }).trim();
}

const DEMO = "(SELECT id FROM posts WHERE name = 'Embassy in Nairobi')";

test('SIGKILL during badge traffic loses no answered decision; occupancy matches the events', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'chancery-gate-kill9-'));
	let server = await start(dir);
	try {
		const token = execFileSync(BIN, ['device', 'add', 'Crash test reader', '--post', 'Embassy in Nairobi',
			'--dir', dir, ...db()], { encoding: 'utf8' }).trim();
		const points = sql(dir, `SELECT id FROM access_points WHERE post_id = ${DEMO}` +
			" AND name IN ('Main gate', 'Chancery entrance') ORDER BY name DESC").split('\n');
		assert.equal(points.length, 2);
		const badges = sql(dir, `SELECT badge FROM access_credentials WHERE post_id = ${DEMO}` +
			" AND badge LIKE 'NBO-%' ORDER BY badge").split('\n');
		assert.ok(badges.length >= 16, badges.join(','));
		// Each worker walks its own badges: gate in, chancery in, out, out.
		const walk = [[0, 'in'], [1, 'in'], [1, 'out'], [0, 'out']];
		const acknowledged = [];
		let stop = false;
		let sent = 0;
		let viaDevice = 0;
		const worker = async (w) => {
			const mine = badges.filter((_, i) => i % 8 === w);
			for (let n = 0; !stop; n++) {
				const badge = mine[n % mine.length];
				const [p, direction] = walk[Math.floor(n / mine.length) % walk.length];
				sent++;
				try {
					// Half the readers on the main port, half on the
					// device listener.
					const root = w % 2 === 0 ? server.base : server.deviceBase;
					const r = await fetch(`${root}/api/v1/access/decisions`, {
						method: 'POST',
						headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
						body: JSON.stringify({ point_id: points[p], badge, direction }),
					});
					if (r.status === 200) {
						acknowledged.push((await r.json()).event_id);
						if (root === server.deviceBase) viaDevice++;
					}
				} catch { /* the server died mid-request: not answered */ }
			}
		};
		const workers = Array.from({ length: 8 }, (_, w) => worker(w));
		await sleep(2000);
		server.child.kill('SIGKILL');
		await sleep(100);
		stop = true;
		await Promise.all(workers);
		assert.ok(acknowledged.length >= 20, `only ${acknowledged.length} decisions before the kill`);
		assert.ok(viaDevice > 0 && viaDevice < acknowledged.length, `${viaDevice} through the device listener`);
		console.log(`${acknowledged.length} answered (${viaDevice} by the device listener), ${sent} sent before the kill`);

		server = await start(dir);
		const ids = new Set(sql(dir, "SELECT id FROM access_events WHERE device_id IS NOT NULL").split('\n'));
		const missing = acknowledged.filter((id) => !ids.has(id));
		assert.deepEqual(missing, [], 'every answered decision is in the access log');
		const audited = new Set(sql(dir,
			"SELECT object_id FROM audit_log WHERE action IN ('access.grant', 'access.deny')").split('\n'));
		assert.deepEqual(acknowledged.filter((id) => !audited.has(id)), [], 'and has its audit record');

		const events = Number(sql(dir, 'SELECT COUNT(*) FROM access_events'));
		const top = Number(sql(dir, 'SELECT MAX(seq) FROM access_events'));
		const head = Number(sql(dir, 'SELECT seq FROM access_head WHERE id = 1'));
		assert.equal(top, events, 'events numbered without gaps');
		assert.equal(head, events, 'as many events as the head says');
		const decisions = Number(sql(dir,
			"SELECT COUNT(*) FROM audit_log WHERE action IN ('access.grant', 'access.deny')"));
		assert.equal(decisions, events, 'one audit record per event, no more, no less');
		const auditHead = Number(sql(dir, 'SELECT size FROM audit_head WHERE id = 1'));
		assert.equal(Number(sql(dir, 'SELECT COUNT(*) FROM audit_log')), auditHead, 'the audit log is whole');

		// Occupancy: each holder's zone is the zone of their last granted
		// event (none when it was out of the site).
		const expected = sql(dir,
			"SELECT e.person_id || ' ' || e.zone_id FROM access_events e" +
			" WHERE e.decision = 'grant' AND e.person_id IS NOT NULL AND e.zone_id IS NOT NULL" +
			" AND e.zone_id <> '' AND e.seq = (SELECT MAX(x.seq) FROM access_events x" +
			"  WHERE x.person_id = e.person_id AND x.decision = 'grant')" +
			' ORDER BY 1').split('\n').filter(Boolean);
		const present = sql(dir,
			"SELECT holder_id || ' ' || zone_id FROM access_presence WHERE person_id IS NOT NULL ORDER BY 1")
			.split('\n').filter(Boolean);
		assert.deepEqual(present, expected, 'occupancy is what the granted events say');
		console.log(`${events} events, ${present.length} people inside`);

		// And the gate answers again.
		const r = await fetch(`${server.deviceBase}/api/v1/access/decisions`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ point_id: points[0], badge: badges[0], direction: 'in' }),
		});
		assert.equal(r.status, 200, await r.text());
	} finally {
		server.child.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
