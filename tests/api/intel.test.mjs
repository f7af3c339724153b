// intel.test.mjs — the intelligence routes: the demo history, the
// Admiralty grading checked half by half, TLP and classification hiding
// from the list exactly what the detail refuses, links to actors, places
// and incidents, assessments feeding a source's track record, sealed
// source identities, threat actors and named places with distance and
// bearing, and the events and audit records writes leave.  Tests make
// records of their own and never change demo ones.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, hqAdmin, login, secondPost, server, uniq } from './harness.mjs';

before(server);

const DAY = 86400e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const ago = (days) => iso(Date.now() - days * DAY);
const ahead = (days) => iso(Date.now() + days * DAY);

let sourceId = null;
async function testSource() {
	if (sourceId) return sourceId;
	const r = await api(await login('analyst'), 'POST', '/api/v1/intel/sources', {
		post_id: await demoPost(), name: uniq('API test source'), kind: 'human', reliability: 'C',
	});
	assert.equal(r.status, 201, r.text);
	sourceId = r.json.id;
	return sourceId;
}

async function newReport(session, fields = {}) {
	const body = {
		post_id: await demoPost(), source_id: await testSource(), category: 'crime',
		reliability: 'B', credibility: 2, title: uniq('API test report'), classification: 'UNCLASSIFIED',
		tlp: 'CLEAR', valid_from: ago(1), valid_until: ahead(30), ...fields,
	};
	const r = await api(session, 'POST', '/api/v1/intel/reports', body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function listAll(session, query = '') {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 100; i++) {
		const r = await get(session, `/api/v1/intel/reports?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
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
	const r = await get(session, `/api/v1/intel/reports/${id}`);
	assert.equal(listed, r.status === 200, `${session.username}: listed ${listed}, detail ${r.status}`);
	if (r.status !== 200) assertProblem(r, 404, 'not-found');
	return listed;
}

// A user of the demo post with the given role and clearance, made once.
const made = new Map();
async function userWith(role, clearance) {
	const key = `${role}-${clearance}`;
	if (made.has(key)) return made.get(key);
	const username = uniq(`apitest-${role}`).toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
	const password = 'correct horse battery staple 9';
	const r = await api(await hqAdmin(), 'POST', '/api/v1/users', {
		username, password, roles: [role], clearance, display_name: `API ${key}`, post_id: await demoPost(),
	});
	assert.equal(r.status, 201, r.text);
	const s = await login(username, { password });
	made.set(key, s);
	return s;
}

describe('demo history', () => {
	test('twelve months of graded reports across categories, sources and outcomes', async () => {
		const items = (await listAll(await login('rso'))).filter((i) => !i.title.startsWith('API test'));
		assert.ok(items.length >= 60 && items.length <= 100, `${items.length} demo reports`);
		const days = (Date.now() - Date.parse(items.at(-1).reported_at)) / DAY;
		assert.ok(days > 330 && days < 370, `oldest ${days} days ago`);
		for (const c of ['political_violence', 'terrorism', 'crime', 'human_intelligence', 'technical_cyber'])
			assert.ok(items.some((i) => i.category === c), c);
		for (const o of ['confirmed', 'refuted', 'unassessed'])
			assert.ok(items.some((i) => i.outcome === o), o);
		assert.ok(new Set(items.map((i) => i.tlp)).size >= 4, 'several TLP labels');
		assert.ok(new Set(items.map((i) => i.source_name)).size >= 6, 'several sources');
		assert.ok(items.some((i) => i.open), 'some intelligence is open now');
		const sorted = [...items].sort((a, b) => b.reported_at.localeCompare(a.reported_at));
		assert.deepEqual(items.map((i) => i.id), sorted.map((i) => i.id), 'newest first');
		assert.ok(items.some((i) => i.incident_ids.length > 0), 'linked to demo incidents');
	});

	test('sources have different track records; the suggestion stands beside the judgement', async () => {
		const r = await get(await login('analyst'), '/api/v1/intel/sources');
		assert.equal(r.status, 200, r.text);
		const by = Object.fromEntries(r.json.items.map((s) => [s.name, s]));
		assert.equal(by.ZEBRA.reliability, 'D');
		assert.ok(by.ZEBRA.track.refuted > by.ZEBRA.track.confirmed, JSON.stringify(by.ZEBRA.track));
		assert.ok(['A', 'B'].includes(by.ACACIA.track.suggested_reliability));
		assert.ok(new Set(r.json.items.map((s) => s.track.suggested_reliability)).size >= 3);
		assert.ok(r.json.items.every((s) => !('identity' in s)), 'identities never listed');
		assert.ok(r.json.items.some((s) => s.has_identity));
	});

	test('actors and places around Nairobi, with distance and bearing from the embassy', async () => {
		const rso = await login('rso');
		const actors = (await get(rso, '/api/v1/intel/actors')).json.items;
		assert.ok(actors.length >= 5);
		assert.ok(actors.some((a) => a.kind === 'state'));
		assert.ok(actors.some((a) => a.kind === 'individual'));
		const places = (await get(rso, '/api/v1/intel/places')).json.items;
		assert.ok(places.length >= 6);
		for (const p of places) {
			assert.ok(p.distance_m > 0 && p.distance_m < 30000, `${p.name} ${p.distance_m}`);
			assert.ok(p.bearing_deg >= 0 && p.bearing_deg < 360);
		}
		const airport = places.find((p) => p.name.includes('Airport'));
		assert.ok(airport.bearing_deg > 90 && airport.bearing_deg < 135, `airport at ${airport.bearing_deg}`);
		assert.ok(places.some((p) => p.area === 'polygon' && p.polygon.length >= 3));
	});
});

describe('grading and validation', () => {
	test('reliability and credibility are separate fields, each checked on its own', async () => {
		const analyst = await login('analyst');
		const r = await newReport(analyst, { reliability: 'E', credibility: 1 });
		assert.equal(r.reliability, 'E');
		assert.equal(r.credibility, 1);
		assert.equal(r.grading, 'E1 — unreliable, confirmed by other sources');
		const post = (b) => api(analyst, 'POST', '/api/v1/intel/reports', {
			post_id: r.post_id, source_id: r.source_id, category: 'crime', reliability: 'B', credibility: 2,
			title: 'x', classification: 'UNCLASSIFIED', tlp: 'CLEAR', valid_from: ago(1), valid_until: ahead(1), ...b,
		});
		assertProblem(await post({ reliability: 'G' }), 422, 'validation', undefined, '/reliability');
		assertProblem(await post({ reliability: 'B2' }), 422, 'validation', undefined, '/reliability');
		assertProblem(await post({ reliability: 'b' }), 422, 'validation', undefined, '/reliability');
		assertProblem(await post({ credibility: 0 }), 422, 'validation', undefined, '/credibility');
		assertProblem(await post({ credibility: 7 }), 422, 'validation', undefined, '/credibility');
		assertProblem(await post({ credibility: '2' }), 422, 'validation', undefined, '/credibility');
		assertProblem(await post({ valid_until: ago(3) }), 422, 'validation', /before valid_from/, '/valid_until');
		assertProblem(await post({ category: 'espionage' }), 422, 'validation', undefined, '/category');
		assertProblem(await post({ tlp: 'AMBER-STRICT' }), 422, 'validation', undefined, '/tlp');
		assertProblem(await post({ tlp: 'RED', recipients: ['01a21488-0000-7000-8000-000000000009'] }),
			422, 'validation', /no user has the id/, '/recipients');
		assertProblem(await post({ reported_at: ahead(2) }), 422, 'validation', /future/, '/reported_at');
		assertProblem(await post({ grading: 'B2' }), 422, 'validation');
		const other = await secondPost();
		const theirs = await api(await hqAdmin(), 'POST', '/api/v1/intel/sources', {
			post_id: other.post.id, name: uniq('API test far source'), kind: 'liaison',
		});
		assert.equal(theirs.status, 403, 'hq and administrator do not keep the registry');
		const scale = await get(analyst, '/api/v1/intel/grading');
		assert.equal(scale.json.reliability.length, 6);
		assert.equal(scale.json.credibility[1].meaning, 'probably true');
	});

	test('an analyst raises a report\'s marking; lowering it is the security officer\'s', async () => {
		const analyst = await login('analyst');
		const r = await newReport(analyst, { classification: 'SECRET', tlp: 'AMBER+STRICT' });
		const path = `/api/v1/intel/reports/${r.id}`;
		assertProblem(await api(analyst, 'PATCH', path, { tlp: 'AMBER' }, { 'If-Match': `"${r.version}"` }),
			403, 'forbidden', /Loosening TLP:AMBER\+STRICT to TLP:AMBER/, '/tlp');
		assertProblem(await api(analyst, 'PATCH', path, { classification: 'SBU' }, { 'If-Match': `"${r.version}"` }),
			403, 'forbidden', /Lowering SECRET to SBU/, '/classification');
		const down = await api(await login('rso'), 'PATCH', path, { classification: 'SBU', tlp: 'AMBER' },
			{ 'If-Match': `"${r.version}"` });
		assert.equal(down.status, 200, down.text);
		assert.equal(down.json.tlp, 'AMBER');
	});

	test('PATCH needs If-Match; readers may not grade', async () => {
		const analyst = await login('analyst');
		const r = await newReport(analyst);
		const path = `/api/v1/intel/reports/${r.id}`;
		assertProblem(await api(analyst, 'PATCH', path, { credibility: 3 }), 428, 'if-match-required');
		assertProblem(await api(analyst, 'PATCH', path, { credibility: 3 }, { 'If-Match': '"7"' }), 412,
			'stale-version');
		assertProblem(await api(await login('eac'), 'PATCH', path, { credibility: 3 }, { 'If-Match': '"1"' }), 403,
			'forbidden');
		const ok = await api(analyst, 'PATCH', path, { credibility: 3 }, { 'If-Match': '"1"' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.credibility, 3);
		assert.equal(ok.json.reliability, 'B', 'the other half is untouched');
		assert.equal(ok.headers.get('etag'), '"2"');
		assertProblem(await api(await login('guard'), 'GET', path), 403, 'forbidden');
		assertProblem(await api(await login('staff'), 'POST', '/api/v1/intel/reports', {}), 403, 'forbidden');
	});
});

describe('access: the list hides exactly what the detail refuses', () => {
	test('post: a report of another post is neither listed nor readable at Nairobi', async () => {
		const other = await secondPost();
		const hq = await hqAdmin();
		const src = await api(await login('rso'), 'POST', '/api/v1/intel/sources', {
			post_id: other.post.id, name: 'x', kind: 'human',
		});
		assertProblem(src, 422, 'validation', /not assigned/, '/post_id');
		// HQ reads everywhere but does not write: the system's demo
		// report of Nairobi is all it needs to be seen from HQ.
		const mine = await newReport(await login('analyst'));
		assert.equal(await sameAnswer(await login('hq'), mine.id), true);
		assert.equal(await sameAnswer(hq, mine.id), true);
	});

	test('classification: SECRET is hidden from an analyst cleared to CONFIDENTIAL', async () => {
		const secret = await newReport(await login('rso'), { classification: 'SECRET', tlp: 'AMBER' });
		const low = await userWith('analyst', 'CONFIDENTIAL');
		assert.equal(await sameAnswer(low, secret.id), false);
		assert.equal(await sameAnswer(await login('analyst'), secret.id), true);
		assert.ok((await listAll(low)).every((i) => i.classification !== 'SECRET'));
		assertProblem(await api(low, 'POST', '/api/v1/intel/reports', {
			post_id: secret.post_id, source_id: secret.source_id, category: 'crime', reliability: 'B',
			credibility: 2, title: 'above me', classification: 'SECRET', tlp: 'CLEAR', valid_from: ago(1),
			valid_until: ahead(1),
		}), 422, 'validation', /above your clearance/, '/classification');
	});

	test('TLP:RED: only named recipients (and the author) see it, whatever their role', async () => {
		const eac = await login('eac');
		const red = await newReport(await login('analyst'), { tlp: 'RED', recipients: [eac.user.id] });
		assert.deepEqual([...red.recipients].sort(), [eac.user.id, (await login('analyst')).user.id].sort());
		assert.equal(await sameAnswer(eac, red.id), true);
		assert.equal(await sameAnswer(await login('analyst'), red.id), true);
		assert.equal(await sameAnswer(await login('rso'), red.id), false);
		assert.equal(await sameAnswer(await login('hq'), red.id), false);
	});

	test('every report a reader lists, they can open; guards and staff read none', async () => {
		for (const u of ['rso', 'analyst', 'eac', 'hq']) {
			const s = await login(u);
			for (const i of (await listAll(s)).slice(0, 12))
				assert.equal((await get(s, `/api/v1/intel/reports/${i.id}`)).status, 200, `${u} ${i.title}`);
		}
		for (const u of ['guard', 'staff', 'admin'])
			assertProblem(await get(await login(u), '/api/v1/intel/reports'), 403, 'forbidden');
	});
});

describe('links', () => {
	test('actors, places and incidents link both ways; filters follow the links', async () => {
		const analyst = await login('analyst');
		const post_id = await demoPost();
		const actor = await api(analyst, 'POST', '/api/v1/intel/actors', {
			post_id, name: uniq('API test actor'), kind: 'group', aliases: ['Night Foxes'],
			categories: ['crime', 'political_violence'], description: 'Test group.',
		});
		assert.equal(actor.status, 201, actor.text);
		assert.deepEqual(actor.json.categories, ['political_violence', 'crime']);
		const place = await api(analyst, 'POST', '/api/v1/intel/places', {
			post_id, name: uniq('API test place'), area: 'circle', latitude: -1.2841, longitude: 36.8233,
			radius_m: 300,
		});
		assert.equal(place.status, 201, place.text);
		assert.ok(place.json.distance_m > 2000 && place.json.distance_m < 4000, place.json.distance_m);
		const inc = await api(analyst, 'POST', '/api/v1/incidents', {
			post_id, type: 'crime', category: 'crime', severity: 'Minor', title: uniq('API test incident'),
			occurred_at: ago(1), classification: 'UNCLASSIFIED', tlp: 'CLEAR',
		});
		assert.equal(inc.status, 201, inc.text);
		const r = await newReport(analyst, {
			actor_ids: [actor.json.id], place_ids: [place.json.id], incident_ids: [inc.json.id],
		});
		const d = await get(analyst, `/api/v1/intel/reports/${r.id}`);
		assert.deepEqual(d.json.actors.map((a) => a.name), [actor.json.name]);
		assert.deepEqual(d.json.places.map((p) => p.name), [place.json.name]);
		assert.deepEqual(d.json.incidents.map((i) => i.name), [inc.json.title]);
		for (const [q, id] of [['actor_id', actor.json.id], ['place_id', place.json.id], ['incident_id', inc.json.id]]) {
			const l = await listAll(analyst, `&${q}=${id}`);
			assert.deepEqual(l.map((i) => i.id), [r.id], q);
		}
		const a = await get(analyst, `/api/v1/intel/actors/${actor.json.id}`);
		assert.deepEqual(a.json.reports.map((i) => i.id), [r.id]);
		const p = await get(analyst, `/api/v1/intel/places/${place.json.id}`);
		assert.deepEqual(p.json.reports.map((i) => i.id), [r.id]);
		const found = await get(analyst, '/api/v1/intel/actors?q=night%20fox');
		assert.ok(found.json.items.some((x) => x.id === actor.json.id), 'found by alias');
		// A link to another post's record, or a made-up id, is refused.
		const other = await secondPost();
		const far = await api(await hqAdmin(), 'POST', '/api/v1/incidents', {
			post_id: other.post.id, type: 'crime', category: 'crime', severity: 'Minor', title: uniq('API far'),
			occurred_at: ago(1), classification: 'UNCLASSIFIED', tlp: 'CLEAR',
		});
		assert.equal(far.status, 201, far.text);
		assertProblem(await api(analyst, 'POST', '/api/v1/intel/reports', {
			post_id, source_id: r.source_id, category: 'crime', reliability: 'B', credibility: 2, title: 'far',
			classification: 'UNCLASSIFIED', tlp: 'CLEAR', valid_from: ago(1), valid_until: ahead(1),
			incident_ids: [far.json.id],
		}), 422, 'validation', undefined, '/incident_ids');
		assertProblem(await api(analyst, 'PATCH', `/api/v1/intel/reports/${r.id}`,
			{ actor_ids: ['01a21488-0000-7000-8000-00000000abcd'] }, { 'If-Match': '"1"' }),
		422, 'validation', undefined, '/actor_ids');
	});

	test('places: circle, polygon and point are checked; the area changes as a whole', async () => {
		const analyst = await login('analyst');
		const post_id = await demoPost();
		const post = (b) => api(analyst, 'POST', '/api/v1/intel/places', { post_id, name: uniq('API test p'), ...b });
		assertProblem(await post({ area: 'circle', latitude: -1.3, longitude: 36.8 }), 422, 'validation', undefined,
			'/radius_m');
		assertProblem(await post({ area: 'point', latitude: 95, longitude: 36.8 }), 422, 'validation', undefined,
			'/latitude');
		assertProblem(await post({ area: 'polygon', polygon: [{ latitude: 1, longitude: 1 }] }), 422, 'validation',
			undefined, '/polygon');
		assertProblem(await post({ area: 'polygon', polygon: [{ latitude: 1 }, {}, {}] }), 422, 'validation',
			undefined, '/polygon');
		const poly = await post({
			area: 'polygon', polygon: [
				{ latitude: -1.30, longitude: 36.80 }, { latitude: -1.30, longitude: 36.82 },
				{ latitude: -1.28, longitude: 36.82 }, { latitude: -1.28, longitude: 36.80 }],
		});
		assert.equal(poly.status, 201, poly.text);
		assert.ok(Math.abs(poly.json.latitude + 1.29) < 1e-6);
		assert.ok(Math.abs(poly.json.longitude - 36.81) < 1e-6);
		assert.equal(poly.json.radius_m, null);
		assertProblem(await api(analyst, 'PATCH', `/api/v1/intel/places/${poly.json.id}`, { latitude: -1.2 },
			{ 'If-Match': '"1"' }), 422, 'validation', undefined, '/area');
		const moved = await api(analyst, 'PATCH', `/api/v1/intel/places/${poly.json.id}`,
			{ area: 'point', latitude: -1.2633, longitude: 36.8150 }, { 'If-Match': '"1"' });
		assert.equal(moved.status, 200, moved.text);
		assert.equal(moved.json.area, 'point');
		assert.equal(moved.json.polygon, null);
		assert.ok(moved.json.bearing_deg > 85 && moved.json.bearing_deg < 95, `due east: ${moved.json.bearing_deg}`);
	});
});

describe('track record and assessment', () => {
	test('outcomes feed the source; withdrawn reports leave the open picture', async () => {
		const analyst = await login('analyst');
		const src = await api(analyst, 'POST', '/api/v1/intel/sources', {
			post_id: await demoPost(), name: uniq('API test tracked'), kind: 'open_source', reliability: 'D',
		});
		assert.equal(src.status, 201, src.text);
		const reports = [];
		for (let i = 0; i < 5; i++)
			reports.push(await newReport(analyst, { source_id: src.json.id, credibility: i + 1 }));
		const assess = (r, outcome) => api(analyst, 'POST', `/api/v1/intel/reports/${r.id}/assessment`,
			{ outcome, note: 'checked' });
		for (const r of reports.slice(0, 3)) assert.equal((await assess(r, 'confirmed')).status, 200);
		const refuted = await assess(reports[3], 'refuted');
		assert.equal(refuted.json.outcome, 'refuted');
		assert.ok(refuted.json.outcome_at);
		assertProblem(await assess(reports[3], 'maybe'), 422, 'validation', undefined, '/outcome');
		const w = await api(analyst, 'POST', `/api/v1/intel/reports/${reports[4].id}/status`, { status: 'withdrawn' });
		assert.equal(w.json.status, 'withdrawn');
		assert.equal(w.json.open, false);
		assertProblem(await api(analyst, 'POST', `/api/v1/intel/reports/${reports[4].id}/status`,
			{ status: 'withdrawn' }), 409, 'conflict');
		const open = await listAll(analyst, '&open=true');
		assert.ok(!open.some((i) => i.id === reports[4].id));
		assert.ok(open.some((i) => i.id === reports[0].id));
		assert.ok(open.every((i) => i.open && i.status === 'active'));
		const s = await get(analyst, `/api/v1/intel/sources/${src.json.id}`);
		assert.equal(s.status, 200, s.text);
		const t = s.json.track;
		assert.deepEqual([t.total, t.confirmed, t.refuted, t.unassessed, t.withdrawn], [5, 3, 1, 0, 1]);
		assert.equal(t.by_reliability.B, 5);
		assert.equal(t.by_credibility['5'], 1);
		assert.equal(t.suggested_reliability, 'C', '3 of 4 assessed confirmed');
		assert.equal(s.json.reliability, 'D', "the analyst's judgement is not overwritten");
		assert.equal(t.history.length, 5);
		assert.ok(t.history.every((h) => reports.some((r) => r.id === h.report_id)));
	});

	test('a source identity is sealed, set and read only by the security officer, and audited', async () => {
		const rso = await login('rso');
		const analyst = await login('analyst');
		const name = uniq('API test covert');
		assertProblem(await api(analyst, 'POST', '/api/v1/intel/sources', {
			post_id: await demoPost(), name, kind: 'human', identity: 'A. Person',
		}), 403, 'forbidden', undefined, '/identity');
		const s = await api(rso, 'POST', '/api/v1/intel/sources', {
			post_id: await demoPost(), name, kind: 'human', identity: 'A. Person, clerk',
		});
		assert.equal(s.status, 201, s.text);
		assert.equal(s.json.has_identity, true);
		assert.ok(!('identity' in s.json));
		assertProblem(await api(analyst, 'POST', '/api/v1/intel/sources', {
			post_id: await demoPost(), name, kind: 'human',
		}), 409, 'conflict', undefined, '/name');
		assertProblem(await get(analyst, `/api/v1/intel/sources/${s.json.id}/identity`), 403, 'forbidden');
		assert.ok(!('identity' in (await get(analyst, `/api/v1/intel/sources/${s.json.id}`)).json));
		const revealed = await get(rso, `/api/v1/intel/sources/${s.json.id}/identity`);
		assert.equal(revealed.status, 200, revealed.text);
		assert.equal(revealed.json.identity, 'A. Person, clerk');
		const mine = [];
		for (let from = 1; from;) {
			const a = await get(rso, `/api/v1/audit/records?from=${from}&limit=1000`);
			assert.equal(a.status, 200, a.text);
			mine.push(...a.json.items.filter((x) => x.object_id === s.json.id).map((x) => x.action));
			from = a.json.next_from;
		}
		assert.deepEqual(mine, ['intel.source.create', 'intel.source.reveal']);
		assertProblem(await get(await login('eac'), '/api/v1/intel/sources'), 403, 'forbidden');
	});
});

describe('audit and events', () => {
	test('writes are on the report timeline; reads above TLP:CLEAR are audited', async () => {
		const analyst = await login('analyst');
		const r = await newReport(analyst, { tlp: 'AMBER' });
		await api(analyst, 'PATCH', `/api/v1/intel/reports/${r.id}`, { title: uniq('API test renamed') },
			{ 'If-Match': '"1"' });
		await api(analyst, 'POST', `/api/v1/intel/reports/${r.id}/assessment`, { outcome: 'confirmed' });
		await get(await login('eac'), `/api/v1/intel/reports/${r.id}`);
		const d = await get(analyst, `/api/v1/intel/reports/${r.id}`);
		const actions = d.json.timeline.map((t) => t.action);
		assert.deepEqual(actions.slice(0, 3), ['intel.report.create', 'intel.report.update', 'intel.report.assess']);
		assert.ok(actions.includes('intel.report.read'), actions.join(', '));
		assert.equal(d.json.timeline[0].actor, 'analyst');
	});

	test('the OpenAPI document lists every intel route with its roles', async () => {
		const doc = (await get(await login('rso'), '/api/v1/openapi.json')).json;
		for (const p of ['/api/v1/intel/reports', '/api/v1/intel/reports/{id}', '/api/v1/intel/reports/{id}/assessment',
			'/api/v1/intel/sources/{id}/identity', '/api/v1/intel/actors', '/api/v1/intel/places/{id}'])
			assert.ok(doc.paths[p], p);
		assert.deepEqual(doc.paths['/api/v1/intel/sources/{id}/identity'].get['x-roles'], ['security_officer']);
		assert.ok(doc.components.schemas.IntelReportCreate.properties.credibility);
	});
});
