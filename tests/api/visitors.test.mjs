// visitors.test.mjs — visitors over HTTP: a host registers their own visitor
// (screened, the document sealed and shown to the desk only), the desk checks
// in and out with a temporary badge that a gate reader honours for the zone
// requested, a lookout hit holds the check-in (screening-hold) until the
// security officer dismisses it, an escort is required where the visit needs
// one, an overstay raises an alarm at the end of the window (the server's
// sweep, real time), the visitor log as CSV with formula cells neutralised,
// the retention setting and the purge, and who may do what.
//
// Everything happens in the demo post with visitors this file registers
// (unique names); the retention period is set back to 90 days at the end.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, login, server, uniq } from './harness.mjs';

before(server);

const bearer = (token) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function word() {
	let s = '';
	for (let i = 0; i < 9; i++) s += String.fromCharCode(97 + Math.floor(Math.random() * 26));
	return s[0].toUpperCase() + s.slice(1);
}

describe('visitors', () => {
	let postId, zones, points, token;

	const register = async (session, fields = {}) => {
		const r = await api(session, 'POST', '/api/v1/visitors', {
			post_id: postId,
			name: `${word()} ${word()}`,
			organisation: 'Acme Ltd',
			document_type: 'passport',
			document_number: 'P-9911223',
			document_country: 'Kenya',
			nationality: 'KE',
			purpose: 'API test meeting',
			arrival: iso(Date.now() - 10 * 60000),
			departure: iso(Date.now() + 3 * 3600000),
			zone_ids: [zones['Consular waiting hall']],
			...fields,
		});
		assert.equal(r.status, 201, r.text);
		return r.json;
	};

	before(async () => {
		postId = await demoPost();
		const rso = await login('rso');
		const z = await get(rso, `/api/v1/posts/${postId}/zones`);
		zones = Object.fromEntries(z.json.items.map((x) => [x.name, x.id]));
		const p = await get(rso, `/api/v1/access/points?post_id=${postId}`);
		points = p.json.items;
		const d = await api(await login('admin'), 'POST', '/api/v1/devices',
			{ name: uniq('API visitors reader'), post_id: postId });
		assert.equal(d.status, 201, d.text);
		token = d.json.token;
	});

	test('a host registers, the desk checks in with a badge the gate honours, check-out revokes it', async () => {
		const staff = await login('staff');
		const guard = await login('guard');
		const v = await register(staff);
		assert.equal(v.status, 'expected');
		assert.equal(v.host_name, 'Line Bech');
		assert.equal(v.screening.state, 'clear');
		assert.equal(v.has_document, true);
		assert.ok(!JSON.stringify(v).includes('P-9911223'), 'the document is not in the answer');

		// The host sees their own visitors; the desk sees the day's list.
		const mine = await get(staff, '/api/v1/my/visitors');
		assert.ok(mine.json.items.some((x) => x.id === v.id));
		assertProblem(await get(staff, '/api/v1/visitors'), 403, 'forbidden');
		const day = await get(guard, '/api/v1/visitors?day=today&status=expected');
		assert.equal(day.status, 200, day.text);
		assert.ok(day.json.items.some((x) => x.id === v.id));
		// The post's day, named with its zone (the demo post is in Nairobi).
		assert.equal(day.json.time_zone, 'Africa/Nairobi');
		assert.equal(day.json.day, new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(new Date()));

		// The document is unsealed for the desk only.
		assertProblem(await get(staff, `/api/v1/visitors/${v.id}/document`), 403, 'forbidden');
		const doc = await get(guard, `/api/v1/visitors/${v.id}/document`);
		assert.equal(doc.status, 200, doc.text);
		assert.equal(doc.json.document_number, 'P-9911223');

		assertProblem(await api(staff, 'POST', `/api/v1/visitors/${v.id}/check-in`, {}), 403, 'forbidden');
		const ci = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`, {});
		assert.equal(ci.status, 200, ci.text);
		assert.equal(ci.json.status, 'checked_in');
		assert.match(ci.json.badge, /^V-[0-9A-F]{8}$/);
		assert.equal(ci.json.checked_in_by, 'guard');

		// A reader into the zone requested lets the visitor through.
		const point = points.find((x) => x.to_zone_id === zones['Consular waiting hall']);
		assert.ok(point, 'the demo has a point into the consular waiting hall');
		const d1 = await api(null, 'POST', '/api/v1/access/decisions',
			{ point_id: point.id, badge: ci.json.badge, direction: 'in' }, bearer(token));
		assert.equal(d1.status, 200, d1.text);
		assert.equal(d1.json.decision, 'grant', d1.text);

		const co = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-out`);
		assert.equal(co.status, 200, co.text);
		assert.equal(co.json.status, 'checked_out');
		const d2 = await api(null, 'POST', '/api/v1/access/decisions',
			{ point_id: point.id, badge: ci.json.badge, direction: 'in' }, bearer(token));
		assert.equal(d2.json.decision, 'deny');
		assert.equal(d2.json.reason, 'credential_revoked');
		assertProblem(await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-out`), 409, 'conflict');
	});

	test('a watchlist hit holds the check-in until the security officer dismisses it', async () => {
		const rso = await login('rso');
		const guard = await login('guard');
		const family = word();
		const lo = await api(rso, 'POST', `/api/v1/posts/${postId}/lookout`, {
			name: `${family}, Oskar`, reason: 'API test: banned from the premises', seriousness: 'high',
		});
		assert.equal(lo.status, 201, lo.text);
		try {
			const v = await register(await login('staff'), { name: `Oskar ${family}` });
			assert.equal(v.screening.state, 'hold', JSON.stringify(v.screening));
			const held = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`, {});
			assertProblem(held, 409, 'screening-hold');
			assert.match(held.json.detail, /security officer/);
			assert.match(held.json.detail, new RegExp(family, 'i'));

			const queue = (await get(rso, `/api/v1/hits?post_id=${postId}&limit=500`)).json.items;
			const hits = queue.filter((h) => h.subject.id === v.id);
			assert.ok(hits.length >= 1, 'the hit is in the review queue');
			for (const h of hits) {
				const a = await api(rso, 'POST', `/api/v1/hits/${h.id}/adjudication`,
					{ decision: 'dismissed', reason: 'Different person: checked the passport photo.' });
				assert.equal(a.status, 200, a.text);
			}
			const ci = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`, {});
			assert.equal(ci.status, 200, ci.text);
			assert.equal(ci.json.screening.state, 'cleared');
			assert.equal((await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-out`)).status, 200);
		} finally {
			await api(rso, 'DELETE', `/api/v1/lookout/${lo.json.id}`);
		}
	});

	test('an escort is required where the visit needs one', async () => {
		const guard = await login('guard');
		const v = await register(await login('staff'), { escort_required: true });
		const none = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`, {});
		assertProblem(none, 422, 'validation');
		assert.match(none.text, /escort/);
		const session = await get(guard, '/api/v1/auth/session');
		const escort = session.json.user?.person_id ?? session.json.person_id;
		assert.ok(escort, session.text);
		const ci = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`,
			{ escort_person_id: escort, badge: uniq('VB') });
		assert.equal(ci.status, 200, ci.text);
		assert.equal(ci.json.escort_person_id, escort);
		assert.ok(ci.json.escort_name);
		assert.equal((await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-out`)).status, 200);
	});

	test('an overstay raises an alarm at the end of the window', async () => {
		const rso = await login('rso');
		const guard = await login('guard');
		const v = await register(await login('staff'), { departure: iso(Date.now() + 4000) });
		const ci = await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-in`, {});
		assert.equal(ci.status, 200, ci.text);
		let alarm;
		for (let i = 0; i < 30 && !alarm; i++) {
			await sleep(1000);
			const got = await get(guard, `/api/v1/visitors/${v.id}`);
			if (got.json.overstay_alarm_id) {
				const alarms = await get(rso, `/api/v1/access/alarms?post_id=${postId}`);
				alarm = alarms.json.items.find((a) => a.id === got.json.overstay_alarm_id);
			}
		}
		assert.ok(alarm, 'the sweep raised an alarm');
		assert.equal(alarm.kind, 'visitor_overstay');
		assert.match(alarm.detail, new RegExp(v.name));
		assert.equal((await api(guard, 'POST', `/api/v1/visitors/${v.id}/check-out`)).status, 200);
		await api(rso, 'POST', `/api/v1/alarms/${alarm.id}/resolve`, { note: 'API test: visitor left.' });
	});

	test('the visitor log as CSV neutralises formula cells', async () => {
		const rso = await login('rso');
		const v = await register(await login('staff'), {
			name: `=HYPERLINK("http://evil.example") ${word()}`, organisation: '+cmd|calc',
		});
		const r = await api(rso, 'GET', `/api/v1/visitors?post_id=${postId}&day=today&format=csv`);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^text\/csv/);
		const lines = r.text.split('\r\n');
		assert.equal(lines[0], 'id,name,organisation,host,purpose,arrival,departure,status,screening,escort,badge,checked_in_at,checked_out_at,purged_at');
		const line = lines.find((l) => l.startsWith(v.id));
		assert.ok(line, 'the visit is in the log');
		assert.ok(line.includes(`"'=HYPERLINK(""http://evil.example"")`), line);
		assert.ok(line.includes(",'+cmd|calc,"), line);
		assertProblem(await get(rso, '/api/v1/visitors?format=xml'), 400, 'bad-query');
		assertProblem(await get(rso, '/api/v1/visitors?day=tomorrow'), 422, 'validation');
		assertProblem(await get(rso, '/api/v1/visitors?status=gone'), 422, 'validation');
		assertProblem(await get(rso, '/api/v1/visitors?cursor=zz'), 400, 'bad-cursor');
		const c = await api(await login('staff'), 'POST', `/api/v1/visitors/${v.id}/cancel`);
		assert.equal(c.status, 200, c.text);
		assert.equal(c.json.status, 'cancelled');
	});

	test('the log pages by arrival, and its CSV holds every page', async () => {
		const rso = await login('rso');
		const staff = await login('staff');
		for (let i = 0; i < 3; i++) await register(staff);
		const seen = new Set();
		let cursor = '', pages = 0;
		do {
			const r = await get(rso, `/api/v1/visitors?post_id=${postId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.items.length <= 2);
			for (const x of r.json.items) {
				assert.ok(!seen.has(x.id), 'no visit twice');
				seen.add(x.id);
			}
			cursor = r.json.next_cursor || '';
			pages++;
		} while (cursor && pages < 1000);
		assert.ok(pages >= 2, 'more than one page');
		const csv = await api(rso, 'GET', `/api/v1/visitors?post_id=${postId}&format=csv&limit=2`);
		assert.equal(csv.status, 200, csv.text);
		const rows = csv.text.split('\r\n').filter((l) => l !== '').slice(1);
		assert.equal(rows.length, seen.size, 'the CSV is the whole log, not one page');
	});

	test('retention: the security officer sets it and purges; others may not', async () => {
		const rso = await login('rso');
		const guard = await login('guard');
		const g = await get(guard, `/api/v1/posts/${postId}/visitor-settings`);
		assert.equal(g.status, 200, g.text);
		assert.equal(g.json.retention_days, 90);
		assertProblem(await api(guard, 'PUT', `/api/v1/posts/${postId}/visitor-settings`,
			{ retention_days: 30 }), 403, 'forbidden');
		assertProblem(await api(rso, 'PUT', `/api/v1/posts/${postId}/visitor-settings`,
			{ retention_days: 0 }), 422, 'validation');
		const s = await api(rso, 'PUT', `/api/v1/posts/${postId}/visitor-settings`, { retention_days: 30 });
		assert.equal(s.status, 200, s.text);
		assert.equal(s.json.retention_days, 30);
		const p = await api(rso, 'POST', `/api/v1/posts/${postId}/visitor-purge`);
		assert.equal(p.status, 200, p.text);
		assert.equal(typeof p.json.purged, 'number');
		assertProblem(await api(guard, 'POST', `/api/v1/posts/${postId}/visitor-purge`), 403, 'forbidden');
		assert.equal((await api(rso, 'PUT', `/api/v1/posts/${postId}/visitor-settings`,
			{ retention_days: 90 })).status, 200);
	});

	test('who may do what, and bad input', async () => {
		const hq = await login('hq');
		const analyst = await login('analyst');
		const r = await get(hq, '/api/v1/visitors');
		assert.equal(r.status, 200, r.text);
		assertProblem(await api(hq, 'POST', '/api/v1/visitors', {
			post_id: postId, name: 'A B', purpose: 'x', arrival: iso(Date.now()), departure: iso(Date.now() + 3600000),
		}), 403, 'forbidden');
		// An analyst hosts their own visitors but does not keep the desk.
		assertProblem(await get(analyst, '/api/v1/visitors'), 403, 'forbidden');
		assertProblem(await api(await login('staff'), 'POST', '/api/v1/visitors', {
			post_id: postId, name: 'A B', purpose: 'x', arrival: iso(Date.now() + 7200000),
			departure: iso(Date.now() + 3600000),
		}), 422, 'validation');
		assertProblem(await api(await login('staff'), 'POST', '/api/v1/visitors', {
			post_id: postId, name: 'A B', purpose: 'x', arrival: 'tomorrow', departure: iso(Date.now() + 3600000),
		}), 422, 'validation');
		assertProblem(await api(await login('staff'), 'POST', '/api/v1/visitors', {
			post_id: postId, name: 'A B', purpose: 'x', arrival: iso(Date.now()),
			departure: iso(Date.now() + 3600000), zone_ids: ['01a21488-0000-7000-8000-000000000001'],
		}), 422, 'validation');
		assertProblem(await get(await login('guard'), '/api/v1/visitors/01a21488-0000-7000-8000-000000000001'),
			404, 'not-found');
	});
});
