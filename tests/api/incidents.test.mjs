// incidents.test.mjs — the incident routes: the demo history, reporting by
// anyone, the workflow by role with reasons, PATCH with If-Match, people
// with immunity and the Vienna articles, the timeline and read audit, and
// the list hiding exactly what the detail refuses, for each dimension
// (post, classification, TLP:RED, own reports).  Tests make incidents of
// their own and never change demo ones.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, hqAdmin, login, person, secondPost, server, uniq } from './harness.mjs';

before(server);

const HOUR = 3600e3;
const ago = (hours) => new Date(Date.now() - hours * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');

async function report(session, fields = {}) {
	const body = {
		post_id: await demoPost(), type: 'crime', category: 'crime', severity: 'Minor',
		title: uniq('API test incident'), occurred_at: ago(2), classification: 'UNCLASSIFIED',
		tlp: 'CLEAR', ...fields,
	};
	const r = await api(session, 'POST', '/api/v1/incidents', body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

// Every incident the session may list.
async function listAll(session, query = '') {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 100; i++) {
		const q = `limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`;
		const r = await get(session, `/api/v1/incidents?${q}`);
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (!cursor) break;
	}
	return items;
}

// The list shows id exactly when the detail answers 200.
async function sameAnswer(session, id) {
	const listed = (await listAll(session)).some((i) => i.id === id);
	const r = await get(session, `/api/v1/incidents/${id}`);
	assert.equal(listed, r.status === 200, `${session.username}: listed ${listed}, detail ${r.status}`);
	if (r.status !== 200) assertProblem(r, 404, 'not-found');
	return listed;
}

describe('demo history', () => {
	test('twelve months of incidents at every status, several severities and TLPs', async () => {
		const items = (await listAll(await login('rso'))).filter((i) => !i.title.startsWith('API test'));
		assert.ok(items.length >= 25, `${items.length} demo incidents`);
		const days = (Date.now() - Date.parse(items.at(-1).occurred_at)) / (24 * HOUR);
		assert.ok(days > 300 && days < 370, `oldest ${days} days ago`);
		for (const s of ['reported', 'triaged', 'investigating', 'closed'])
			assert.ok(items.some((i) => i.status === s), s);
		assert.ok(new Set(items.map((i) => i.severity)).size >= 4);
		assert.ok(new Set(items.map((i) => i.tlp)).size >= 4);
		const sorted = [...items].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
		assert.deepEqual(items.map((i) => i.id), sorted.map((i) => i.id), 'newest first');
	});

	test('filters by status, type, severity and time', async () => {
		const rso = await login('rso');
		const all = await listAll(rso);
		const closed = await listAll(rso, '&status=closed');
		assert.deepEqual(closed.map((i) => i.id), all.filter((i) => i.status === 'closed').map((i) => i.id));
		const protests = await listAll(rso, '&type=hostile_protest&severity=Moderate');
		assert.ok(protests.length > 0);
		assert.ok(protests.every((i) => i.type === 'hostile_protest' && i.severity === 'Moderate'));
		const since = ago(24 * 30);
		const recent = await listAll(rso, `&since=${since}`);
		assert.deepEqual(recent.map((i) => i.id), all.filter((i) => i.occurred_at >= since).map((i) => i.id));
		assertProblem(await get(rso, '/api/v1/incidents?severity=severe'), 400, 'bad-query');
		assertProblem(await get(rso, '/api/v1/incidents?since=yesterday'), 400, 'bad-query', undefined, 'since');
		assertProblem(await get(rso, '/api/v1/incidents?cursor=zz'), 400, 'bad-cursor');
	});

	test('paging with limit=4 returns each incident once, in order', async () => {
		const rso = await login('rso');
		const whole = await listAll(rso);
		const paged = [];
		let cursor = null;
		do {
			const r = await get(rso, `/api/v1/incidents?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.items.length <= 4);
			paged.push(...r.json.items);
			cursor = r.json.next_cursor;
		} while (cursor);
		assert.deepEqual(paged.map((i) => i.id), whole.map((i) => i.id));
	});
});

describe('reporting and the workflow', () => {
	test('staff report, read their own report, and cannot change or move it', async () => {
		const staff = await login('staff');
		const inc = await report(staff, { tlp: 'AMBER', description: 'Seen from the office window.' });
		assert.equal(inc.status, 'reported');
		assert.equal(inc.reporter_user_id, staff.user.id);
		assert.ok(await sameAnswer(staff, inc.id));
		const r = await api(staff, 'PATCH', `/api/v1/incidents/${inc.id}`, { severity: 'Moderate' },
			{ 'If-Match': '"1"' });
		assertProblem(r, 403, 'forbidden');
		assertProblem(await api(staff, 'POST', `/api/v1/incidents/${inc.id}/transitions`,
			{ to: 'triaged', reason: 'self-triage' }), 403, 'forbidden');
	});

	test('analysts triage and investigate; only the security officer closes and reopens', async () => {
		const analyst = await login('analyst');
		const rso = await login('rso');
		const inc = await report(await login('guard'));
		const move = (s, to, reason = `reason for ${to}`) =>
			api(s, 'POST', `/api/v1/incidents/${inc.id}/transitions`, { to, reason });
		assertProblem(await move(analyst, 'investigating'), 409, 'conflict', /cannot move/);
		assertProblem(await move(analyst, 'triaged', ''), 422, 'validation', undefined, '/reason');
		assert.equal((await move(analyst, 'triaged')).status, 200);
		assert.equal((await move(analyst, 'investigating')).status, 200);
		assertProblem(await move(analyst, 'closed'), 403, 'forbidden');
		const closed = await move(rso, 'closed', 'suspect arrested');
		assert.equal(closed.status, 200, closed.text);
		assert.equal(closed.json.status, 'closed');
		assertProblem(await move(analyst, 'investigating'), 403, 'forbidden');
		assert.equal((await move(rso, 'investigating', 'new witness')).status, 200);
		const d = await get(rso, `/api/v1/incidents/${inc.id}`);
		assert.deepEqual(d.json.transitions.map((t) => `${t.from}>${t.to}:${t.reason}`), [
			'reported>triaged:reason for triaged', 'triaged>investigating:reason for investigating',
			'investigating>closed:suspect arrested', 'closed>investigating:new witness',
		]);
		assert.deepEqual(d.json.timeline.map((t) => t.action), [
			'incident.report', 'incident.triage', 'incident.investigate', 'incident.close', 'incident.reopen',
		]);
		assert.deepEqual(d.json.timeline.map((t) => t.actor), ['guard', 'analyst', 'analyst', 'rso', 'rso']);
	});

	test('PATCH needs the current version in If-Match', async () => {
		const analyst = await login('analyst');
		const inc = await report(analyst);
		const path = `/api/v1/incidents/${inc.id}`;
		assertProblem(await api(analyst, 'PATCH', path, { severity: 'Severe' }), 428, 'if-match-required');
		assertProblem(await api(analyst, 'PATCH', path, { severity: 'Severe' }, { 'If-Match': '"9"' }),
			412, 'stale-version');
		const ok = await api(analyst, 'PATCH', path, { severity: 'Severe', place_name: 'Gate 2' },
			{ 'If-Match': '"1"' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.severity, 'Severe');
		assert.equal(ok.json.place_name, 'Gate 2');
		assert.equal(ok.json.version, 2);
		assert.equal(ok.headers.get('etag'), '"2"');
	});

	test('raising a marking is any writer\'s; lowering it is the security officer\'s (403 markings.lower)', async () => {
		const analyst = await login('analyst');
		const rso = await login('rso');
		const inc = await report(analyst, { classification: 'CONFIDENTIAL', tlp: 'AMBER' });
		const path = `/api/v1/incidents/${inc.id}`;
		const up = await api(analyst, 'PATCH', path, { classification: 'SECRET', tlp: 'AMBER+STRICT' },
			{ 'If-Match': '"1"' });
		assert.equal(up.status, 200, up.text);
		assertProblem(await api(analyst, 'PATCH', path, { classification: 'UNCLASSIFIED' }, { 'If-Match': '"2"' }),
			403, 'forbidden', /Lowering SECRET to UNCLASSIFIED .* security officer's/, '/classification');
		assertProblem(await api(analyst, 'PATCH', path, { tlp: 'CLEAR' }, { 'If-Match': '"2"' }),
			403, 'forbidden', /Loosening TLP:AMBER\+STRICT to TLP:CLEAR/, '/tlp');
		const same = await api(analyst, 'PATCH', path, { severity: 'Severe' }, { 'If-Match': '"2"' });
		assert.equal(same.status, 200, same.text);
		assert.equal(same.json.classification, 'SECRET');
		const down = await api(rso, 'PATCH', path, { classification: 'UNCLASSIFIED', tlp: 'GREEN' },
			{ 'If-Match': '"3"' });
		assert.equal(down.status, 200, down.text);
		assert.equal(down.json.classification, 'UNCLASSIFIED');
		assert.equal(down.json.tlp, 'GREEN');
	});

	test('bad input names the field', async () => {
		const rso = await login('rso');
		const base = {
			post_id: await demoPost(), type: 'crime', category: 'crime', severity: 'Minor', title: 'x',
			occurred_at: ago(1), classification: 'UNCLASSIFIED', tlp: 'CLEAR',
		};
		const post = (b) => api(rso, 'POST', '/api/v1/incidents', { ...base, ...b });
		assertProblem(await post({ type: 'riot' }), 422, 'validation', undefined, '/type');
		assertProblem(await post({ severity: 'severe' }), 422, 'validation', undefined, '/severity');
		assertProblem(await post({ occurred_at: 'last night' }), 422, 'validation', undefined, '/occurred_at');
		assertProblem(await post({ latitude: -1.26 }), 422, 'validation', undefined, '/longitude');
		assertProblem(await post({ tlp: 'RED', recipients: ['01a21488-0000-7000-8000-000000000009'] }),
			422, 'validation', /no user has the id/, '/recipients');
		assertProblem(await post({ people: [{ person_id: (await person('Ida Nygaard')).id, role: 'boss' }] }),
			422, 'validation', undefined, '/people');
		const other = await secondPost();
		assertProblem(await post({ people: [{ person_id: other.person.id, role: 'victim' }] }),
			422, 'validation', undefined, '/people');
		assertProblem(await post({ title: 'y'.repeat(201) }), 422, 'validation', undefined, '/title');
	});
});

describe('people, immunity and the Vienna articles', () => {
	test('an assault on a diplomatic agent shows the immunity and VCDR Art. 29', async () => {
		const rso = await login('rso');
		const ida = await person('Ida Nygaard');
		const inc = await report(rso, {
			type: 'kidnapping_or_assault', severity: 'Severe', tlp: 'GREEN',
			people: [{ person_id: ida.id, role: 'victim' }], place_kind: 'elsewhere', place_name: 'Karen',
			latitude: -1.3197, longitude: 36.7073,
		});
		const d = await get(rso, `/api/v1/incidents/${inc.id}`);
		assert.equal(d.status, 200, d.text);
		assert.equal(d.json.people[0].full_name, 'Ida Nygaard');
		assert.equal(d.json.people[0].immunity.arrest, 'never');
		assert.equal(d.json.people[0].immunity.criminal, 'full');
		assert.deepEqual(d.json.articles.map((a) => a.code), ['vcdr-29']);
		assert.ok(d.json.articles[0].explanation.length > 60);
		assert.equal(d.json.latitude, -1.3197);
	});

	test('an intrusion in a zone of the embassy bears on Art. 22 and, for espionage, Arts. 24 and 27', async () => {
		const rso = await login('rso');
		const zones = await get(rso, `/api/v1/posts/${await demoPost()}/zones`);
		const zone = zones.json.items.find((z) => z.name === 'Chancery offices');
		const inc = await report(rso, { type: 'espionage', category: 'human_intelligence', zone_id: zone.id });
		const d = await get(rso, `/api/v1/incidents/${inc.id}`);
		assert.equal(d.json.place_kind, 'premises');
		assert.equal(d.json.zone_name, 'Chancery offices');
		assert.deepEqual(d.json.articles.map((a) => a.code), ['vcdr-22', 'vcdr-24', 'vcdr-27']);
	});
});

describe('access: the list hides exactly what the detail refuses', () => {
	test('post: an incident of another post is neither listed nor readable at Nairobi', async () => {
		const other = await secondPost();
		const hq = await hqAdmin();
		const inc = await report(hq, { post_id: other.post.id });
		assert.equal(await sameAnswer(await login('rso'), inc.id), false);
		assert.equal(await sameAnswer(hq, inc.id), true);
	});

	test('classification: SECRET is hidden from a guard cleared to SBU', async () => {
		const inc = await report(await login('rso'), { classification: 'SECRET' });
		assert.equal(await sameAnswer(await login('guard'), inc.id), false);
		assert.equal(await sameAnswer(await login('analyst'), inc.id), true);
	});

	test('TLP:RED: only named recipients (and the reporter) see it, whatever their role', async () => {
		const analyst = await login('analyst');
		const inc = await report(await login('guard'), { tlp: 'RED', recipients: [analyst.user.id] });
		assert.deepEqual([...inc.recipients].sort(), [analyst.user.id, (await login('guard')).user.id].sort());
		assert.equal(await sameAnswer(analyst, inc.id), true);
		assert.equal(await sameAnswer(await login('guard'), inc.id), true);
		assert.equal(await sameAnswer(await login('rso'), inc.id), false);
		assert.equal(await sameAnswer(await login('eac'), inc.id), false);
	});

	test('own reports: staff see theirs and no one else\'s', async () => {
		const staff = await login('staff');
		const theirs = await report(await login('guard'));
		assert.equal(await sameAnswer(staff, theirs.id), false);
		const items = await listAll(staff);
		assert.ok(items.length > 0);
		assert.ok(items.every((i) => i.reporter_user_id === staff.user.id));
	});

	test('every incident a user lists, they can open', async () => {
		for (const u of ['guard', 'staff', 'eac']) {
			const s = await login(u);
			for (const i of (await listAll(s)).slice(0, 15))
				assert.equal((await get(s, `/api/v1/incidents/${i.id}`)).status, 200, `${u} ${i.title}`);
		}
		// The administrator reads incidents only as a reporter, and has
		// reported none.
		assert.deepEqual(await listAll(await login('admin')), []);
	});
});

describe('read audit', () => {
	test('reads above TLP:CLEAR appear on the timeline; CLEAR reads do not', async () => {
		const rso = await login('rso');
		const amber = await report(rso, { tlp: 'AMBER' });
		const clear = await report(rso, { tlp: 'CLEAR' });
		await get(await login('analyst'), `/api/v1/incidents/${amber.id}`);
		await get(await login('analyst'), `/api/v1/incidents/${clear.id}`);
		const a = await get(rso, `/api/v1/incidents/${amber.id}`);
		assert.ok(a.json.timeline.some((t) => t.action === 'incident.read' && t.actor === 'analyst'), a.text);
		const c = await get(rso, `/api/v1/incidents/${clear.id}`);
		assert.ok(!c.json.timeline.some((t) => t.action === 'incident.read'), c.text);
	});
});
