// access.test.mjs — access control over HTTP: who may read and set up the
// gate, decisions for a device token (grant, deny with the reason, the person's
// summary), hard anti-passback, occupancy and the muster list (JSON and CSV),
// a duress PIN that answers like a plain grant and raises an alarm, the
// posture narrowing grants, credential status, anomalies, and bad input.
//
// Everything happens in the demo post with people, badges, points and rules
// this file makes (unique names), so that other files' data is untouched; the
// demo post's posture is set back to normal after the posture test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	api, assertProblem, demoPost, deviceApi, get, login, newPerson, secondPost, server, uniq,
} from './harness.mjs';

before(server);

const bearer = (token) => ({ Authorization: `Bearer ${token}` });

describe('access control', () => {
	let postId, token, zones, person, badge, door, cage;
	// Decisions go to the main port and to the device listener in turn:
	// the two HTTP paths must answer alike, over the same state.
	let turn = 0;
	const decide = (body) => (turn++ % 2 === 0
		? api(null, 'POST', '/api/v1/access/decisions', body, bearer(token))
		: deviceApi('POST', '/api/v1/access/decisions', body, bearer(token)));

	before(async () => {
		postId = await demoPost();
		const rso = await login('rso');
		const d = await api(await login('admin'), 'POST', '/api/v1/devices',
			{ name: uniq('API gate reader'), post_id: postId });
		assert.equal(d.status, 201, d.text);
		token = d.json.token;
		const z = await get(rso, `/api/v1/posts/${postId}/zones`);
		zones = Object.fromEntries(z.json.items.map((x) => [x.name, x.id]));
		person = await newPerson({ given_name: 'Gate', clearance: 'SECRET' });
		badge = uniq('API');
		const c = await api(rso, 'POST', '/api/v1/access/credentials', {
			post_id: postId, badge, person_id: person.id, pin: '2580', duress_pin: '2581',
		});
		assert.equal(c.status, 201, c.text);
		assert.equal(c.json.has_pin, true);
		assert.equal(c.json.has_duress_pin, true);
		assert.ok(!c.text.includes('2580') && !c.text.includes('b2$'), 'no PIN nor hash in the answer');
		const p1 = await api(rso, 'POST', '/api/v1/access/points', {
			post_id: postId, name: uniq('API door'), from_zone_id: zones['Compound perimeter'],
			to_zone_id: zones['Chancery ground floor'], anti_passback: 'hard',
		});
		assert.equal(p1.status, 201, p1.text);
		door = p1.json;
		const p2 = await api(rso, 'POST', '/api/v1/access/points', {
			post_id: postId, name: uniq('API cage'), from_zone_id: zones['Chancery ground floor'],
			to_zone_id: zones['Chancery offices'], pin_required: true,
		});
		assert.equal(p2.status, 201, p2.text);
		cage = p2.json;
		const r = await api(rso, 'POST', '/api/v1/access/rules', {
			post_id: postId, effect: 'grant', subject: 'person', subject_value: person.id,
			zone_id: zones['Chancery ground floor'], note: 'API test',
		});
		assert.equal(r.status, 201, r.text);
	});

	test('guards read the gate, the security officer sets it up, staff see nothing', async () => {
		assert.equal((await get(await login('guard'), '/api/v1/access/events')).status, 200);
		assert.equal((await get(await login('guard'), '/api/v1/access/occupancy')).status, 200);
		assertProblem(await get(await login('staff'), '/api/v1/access/events'), 403, 'forbidden');
		assertProblem(await api(await login('guard'), 'POST', '/api/v1/access/credentials',
			{ post_id: postId, badge: 'X', person_id: person.id }), 403, 'forbidden');
		assertProblem(await api(await login('admin'), 'PUT', `/api/v1/posts/${postId}/posture`,
			{ posture: 'lockdown' }), 403, 'forbidden');
		assertProblem(await get(null, '/api/v1/access/events', bearer(token)), 403, 'not-for-devices');
		assertProblem(await api(await login('rso'), 'POST', '/api/v1/access/decisions',
			{ point_id: door.id, badge, direction: 'in' }), 403, 'forbidden');
	});

	test('in, in again (hard anti-passback), out: the answers, the log and occupancy', async () => {
		const rso = await login('rso');
		const a = await decide({ point_id: door.id, badge, direction: 'in' });
		assert.equal(a.status, 200, a.text);
		assert.equal(a.json.decision, 'grant');
		assert.equal(a.json.reason, 'granted');
		assert.equal(a.json.person.id, person.id);
		assert.equal(a.json.person.name, `Gate ${person.family_name}`);
		assert.equal(a.json.zone.name, 'Chancery ground floor');
		let occ = await get(rso, `/api/v1/access/occupancy?post_id=${postId}`);
		assert.equal(occ.status, 200, occ.text);
		assert.ok(occ.json.people.some((p) => p.person_id === person.id && p.zone_name === 'Chancery ground floor'));
		const zone = occ.json.zones.find((z) => z.name === 'Chancery ground floor');
		assert.ok(zone.count >= 1);
		const csv = await get(rso, `/api/v1/access/muster?post_id=${postId}&format=csv`);
		assert.equal(csv.status, 200, csv.text);
		assert.match(csv.type, /^text\/csv/);
		assert.match(csv.text, /^zone,name,category,person_id,since\r\n/);
		assert.ok(csv.text.includes(person.id));

		const b = await decide({ point_id: door.id, badge, direction: 'in' });
		assert.equal(b.json.decision, 'deny');
		assert.equal(b.json.reason, 'passback');
		const c = await decide({ point_id: door.id, badge, direction: 'out' });
		assert.equal(c.json.decision, 'grant');
		assert.equal(c.json.reason, 'granted_exit');
		occ = await get(rso, `/api/v1/access/occupancy?post_id=${postId}`);
		assert.ok(occ.json.people.some((p) => p.person_id === person.id && p.zone_name === 'Compound perimeter'),
			'back in the compound');

		const log = await get(rso, `/api/v1/access/events?person_id=${person.id}&limit=2`);
		assert.equal(log.status, 200, log.text);
		assert.deepEqual(log.json.items.map((e) => [e.decision, e.reason, e.direction]),
			[['grant', 'granted_exit', 'out'], ['deny', 'passback', 'in']]);
		assert.equal(log.json.items[0].id, c.json.event_id);
		assert.ok(log.json.next_cursor);
		const more = await get(rso, `/api/v1/access/events?person_id=${person.id}&limit=2&cursor=${log.json.next_cursor}`);
		assert.equal(more.json.items[0].id, a.json.event_id);
		const denied = await get(rso, `/api/v1/access/events?person_id=${person.id}&decision=deny`);
		assert.equal(denied.json.items.length, 1);
	});

	test('a duress PIN answers as the right one and raises a silent alarm', async () => {
		const rso = await login('rso');
		assert.equal((await decide({ point_id: door.id, badge, direction: 'in' })).json.decision, 'grant');
		const none = await decide({ point_id: cage.id, badge, direction: 'in' });
		assert.equal(none.json.reason, 'pin_required');
		const wrong = await decide({ point_id: cage.id, badge, pin: '1111', direction: 'in' });
		assert.equal(wrong.json.reason, 'wrong_pin');
		const right = await decide({ point_id: cage.id, badge, pin: '2580', direction: 'in' });
		assert.equal(right.json.decision, 'grant', right.text);
		const out = await decide({ point_id: cage.id, badge, direction: 'out' });
		assert.equal(out.json.decision, 'grant');
		const duress = await decide({ point_id: cage.id, badge, pin: '2581', direction: 'in' });
		assert.equal(duress.status, 200);
		assert.deepEqual(Object.keys(duress.json).sort(), Object.keys(right.json).sort());
		assert.equal(duress.json.decision, 'grant');
		assert.equal(duress.json.reason, 'granted');
		assert.equal(duress.json.message, right.json.message);
		const alarms = await get(rso, `/api/v1/access/alarms?post_id=${postId}`);
		const alarm = alarms.json.items.find((x) => x.event_id === duress.json.event_id);
		assert.ok(alarm, alarms.text);
		assert.equal(alarm.kind, 'duress');
		assert.equal(alarm.person_id, person.id);
		assert.ok(!alarms.json.items.some((x) => x.event_id === right.json.event_id));
		// Leave as we came, for the tests after.
		await decide({ point_id: cage.id, badge, direction: 'out' });
		await decide({ point_id: door.id, badge, direction: 'out' });
	});

	test('lockdown refuses all but security staff; normal grants again', async () => {
		const rso = await login('rso');
		try {
			const set = await api(rso, 'PUT', `/api/v1/posts/${postId}/posture`,
				{ posture: 'lockdown', reason: 'API test drill' });
			assert.equal(set.status, 200, set.text);
			assert.equal(set.json.posture, 'lockdown');
			const r = await decide({ point_id: door.id, badge, direction: 'in' });
			assert.equal(r.json.decision, 'deny');
			assert.equal(r.json.reason, 'lockdown');
		} finally {
			const back = await api(rso, 'PUT', `/api/v1/posts/${postId}/posture`, { posture: 'normal' });
			assert.equal(back.status, 200, back.text);
		}
		assert.equal((await get(rso, `/api/v1/posts/${postId}/posture`)).json.posture, 'normal');
		const r = await decide({ point_id: door.id, badge, direction: 'in' });
		assert.equal(r.json.decision, 'grant', r.text);
		await decide({ point_id: door.id, badge, direction: 'out' });
	});

	test('a suspended badge is refused at once; reinstated, it works', async () => {
		const rso = await login('rso');
		const list = await get(rso, `/api/v1/access/credentials?person_id=${person.id}`);
		const cred = list.json.items.find((x) => x.badge === badge);
		let r = await api(rso, 'PATCH', `/api/v1/access/credentials/${cred.id}`, { status: 'suspended' });
		assert.equal(r.status, 200, r.text);
		assert.equal((await decide({ point_id: door.id, badge, direction: 'in' })).json.reason, 'credential_suspended');
		r = await api(rso, 'PATCH', `/api/v1/access/credentials/${cred.id}`, { status: 'active' });
		assert.equal(r.status, 200, r.text);
		assert.equal((await decide({ point_id: door.id, badge, direction: 'in' })).json.decision, 'grant');
		await decide({ point_id: door.id, badge, direction: 'out' });
	});

	test('unknown badges and readers are refused and recorded; repeated denials are an anomaly', async () => {
		const stranger = uniq('NOBODY');
		for (let i = 0; i < 3; i++) {
			const r = await decide({ point_id: door.id, badge: stranger, direction: 'in' });
			assert.equal(r.json.reason, 'unknown_credential');
		}
		const other = await decide({ point_id: '01234567-89ab-7cde-8f01-234567890abc', badge, direction: 'in' });
		assert.equal(other.json.reason, 'unknown_point');
		const an = await get(await login('rso'), `/api/v1/access/anomalies?post_id=${postId}`);
		assert.equal(an.status, 200, an.text);
		assert.ok(an.json.items.some((x) => x.kind === 'repeated_denials' && x.detail.includes(stranger)), an.text);
	});

	test('a sensor raises an alarm; a guard acknowledges it, the security officer resolves it with a note', async () => {
		const raised = await api(null, 'POST', '/api/v1/access/alarms',
			{ kind: 'door_held_open', point_id: door.id, detail: 'Held 45 s' }, bearer(token));
		assert.equal(raised.status, 201, raised.text);
		assert.equal(raised.json.status, 'raised');
		assert.equal(raised.json.level, 0);
		assert.equal(raised.json.zone_id, zones['Chancery ground floor']);
		const id = raised.json.id;
		assertProblem(await api(await login('rso'), 'POST', '/api/v1/access/alarms', { kind: 'fire' }), 403, 'forbidden');
		assertProblem(await api(await login('staff'), 'POST', `/api/v1/access/alarms/${id}/acknowledge`, {}),
			403, 'forbidden');
		const ack = await api(await login('guard'), 'POST', `/api/v1/access/alarms/${id}/acknowledge`,
			{ note: 'Checking the door' });
		assert.equal(ack.status, 200, ack.text);
		assert.equal(ack.json.status, 'acknowledged');
		assert.equal(ack.json.acknowledged_by, 'guard');
		assertProblem(await api(await login('guard'), 'POST', `/api/v1/access/alarms/${id}/acknowledge`, {}),
			409, 'conflict');
		assertProblem(await api(await login('rso'), 'POST', `/api/v1/access/alarms/${id}/resolve`, {}),
			422, 'validation', undefined, '/note');
		const done = await api(await login('rso'), 'POST', `/api/v1/access/alarms/${id}/resolve`,
			{ note: 'A delivery; door closed' });
		assert.equal(done.status, 200, done.text);
		assert.equal(done.json.status, 'resolved');
		assert.match(done.json.notes, /Checking the door[\s\S]*A delivery; door closed/);
		const list = await get(await login('guard'), `/api/v1/access/alarms?status=resolved`);
		assert.ok(list.json.items.some((a) => a.id === id));
		assertProblem(await get(await login('guard'), '/api/v1/access/alarms?status=lost'), 400, 'bad-query');
		assertProblem(await api(null, 'POST', '/api/v1/access/alarms', { kind: 'earthquake' }, bearer(token)),
			422, 'validation', undefined, '/kind');
	});

	test('a guard tour: route, start, scans from the phone and a reader, the report', async () => {
		const rso = await login('rso');
		const guard = await login('guard');
		const tag = uniq('TAG');
		const route = await api(rso, 'POST', '/api/v1/tours/routes', {
			post_id: postId, name: uniq('API round'),
			checkpoints: [
				{ name: 'Main gate', code: `${tag}-1`, due_minutes: 10 },
				{ name: 'Generator', code: `${tag}-2`, due_minutes: 20 },
				{ name: 'Roof', code: `${tag}-3`, due_minutes: 30 },
			],
		});
		assert.equal(route.status, 201, route.text);
		assert.deepEqual(route.json.checkpoints.map((c) => c.seq), [1, 2, 3]);
		assertProblem(await api(guard, 'POST', '/api/v1/tours/routes',
			{ post_id: postId, name: 'x', checkpoints: [] }), 403, 'forbidden');
		assertProblem(await api(rso, 'POST', '/api/v1/tours/routes',
			{ post_id: postId, name: uniq('bad'), checkpoints: [{ name: 'A', code: 'A', due_minutes: 'soon' }] }),
		422, 'validation', /checkpoints\[0\]/, '/checkpoints');
		assertProblem(await api(guard, 'POST', '/api/v1/tours/scans', { code: `${tag}-1` }), 409, 'conflict');
		const start = await api(guard, 'POST', '/api/v1/tours', { route_id: route.json.id });
		assert.equal(start.status, 201, start.text);
		assert.equal(start.json.status, 'running');
		const one = await api(guard, 'POST', '/api/v1/tours/scans', { code: `${tag}-1` });
		assert.equal(one.status, 200, one.text);
		assert.equal(one.json.next_seq, 2);
		// The roof before the generator, from a reader: out of turn.
		const three = await api(null, 'POST', '/api/v1/device/tour-scans', { code: `${tag}-3` }, bearer(token));
		assert.equal(three.status, 200, three.text);
		assert.equal(three.json.status, 'completed');
		const report = await get(rso, `/api/v1/tours?post_id=${postId}`);
		const tour = report.json.items.find((t) => t.id === start.json.id);
		assert.deepEqual(tour.summary, { missed: 1, late: 0, out_of_order: 1 });
		assert.deepEqual(tour.scans.map((x) => [x.seq, x.missed, x.in_order]),
			[[1, false, true], [2, true, false], [3, false, false]]);
		const alarms = await get(rso, `/api/v1/access/alarms?post_id=${postId}&status=raised`);
		assert.ok(alarms.json.items.some((a) => a.kind === 'tour_out_of_order' && a.detail.includes('Roof')), alarms.text);
	});

	test('the muster CSV neutralises formula cells, inside their quotes', async () => {
		// A name cell is "Family, Given", so always quoted: the apostrophe
		// must go inside the quotes, or the quote is taken as data and the
		// comma after it starts a cell of its own (here =1+1).
		const rso = await login('rso');
		const p = await newPerson({ given_name: 'Formula', family_name: `-${uniq('x')},=1+1`, clearance: 'SECRET' });
		const b = uniq('CSV');
		const c = await api(rso, 'POST', '/api/v1/access/credentials', { post_id: postId, badge: b, person_id: p.id });
		assert.equal(c.status, 201, c.text);
		const r = await api(rso, 'POST', '/api/v1/access/rules', {
			post_id: postId, effect: 'grant', subject: 'person', subject_value: p.id,
			zone_id: zones['Chancery ground floor'], note: 'API test',
		});
		assert.equal(r.status, 201, r.text);
		assert.equal((await decide({ point_id: door.id, badge: b, direction: 'in' })).json.decision, 'grant');
		const csv = await get(rso, `/api/v1/access/muster?post_id=${postId}&format=csv`);
		assert.equal(csv.status, 200, csv.text);
		const line = csv.text.split('\r\n').find((l) => l.includes(p.id));
		assert.ok(line, 'the person is on the muster list');
		assert.equal(line.split(',')[0], 'Chancery ground floor');
		assert.ok(line.startsWith(`Chancery ground floor,"'${p.family_name}, Formula",`), line);
		assert.equal((await decide({ point_id: door.id, badge: b, direction: 'out' })).json.decision, 'grant');
	});

	test('bad input names the field', async () => {
		assertProblem(await decide({ point_id: door.id, direction: 'in' }), 422, 'validation', undefined, '/badge');
		assertProblem(await decide({ point_id: door.id, badge, direction: 'up' }), 422, 'validation', undefined, '/direction');
		assertProblem(await decide({ point_id: door.id, badge, pin: '12', direction: 'in' }), 422, 'validation',
			'A PIN is 4 to 8 digits.', '/credential/pin');
		assertProblem(await decide({ point_id: door.id, badge, direction: 'in', at: '2001-01-01T00:00:00Z' }),
			422, 'validation', undefined, '/at');
		const rso = await login('rso');
		assertProblem(await api(rso, 'POST', '/api/v1/access/schedules',
			{ post_id: postId, name: uniq('bad'), windows: 'weekdays 9-5' }), 422, 'validation', undefined, '/windows');
		assertProblem(await api(rso, 'POST', '/api/v1/access/rules',
			{ post_id: postId, effect: 'grant', subject: 'role', subject_value: 'king' }), 422, 'validation', undefined,
		'/subject_value');
		// A person or credential of another post, or none at all.
		const other = await secondPost();
		assertProblem(await api(rso, 'POST', '/api/v1/access/rules',
			{ post_id: postId, effect: 'grant', subject: 'person', subject_value: other.person.id }), 422, 'validation',
		'No such person in this post.', '/subject_value');
		assertProblem(await api(rso, 'POST', '/api/v1/access/rules',
			{ post_id: postId, effect: 'deny', subject: 'credential', subject_value: person.id }), 422, 'validation',
		'No such credential in this post.', '/subject_value');
		assertProblem(await api(rso, 'POST', '/api/v1/access/credentials',
			{ post_id: postId, badge: uniq('B'), person_id: person.id, pin: '1234', duress_pin: '1234' }),
		422, 'validation', undefined, '/duress_pin');
		assertProblem(await api(rso, 'POST', '/api/v1/access/credentials',
			{ post_id: postId, badge, person_id: person.id }), 409, 'conflict', undefined, '/badge');
		assertProblem(await get(rso, '/api/v1/access/events?cursor=zz'), 400, 'bad-cursor');
		assertProblem(await get(rso, '/api/v1/access/muster?format=xml'), 400, 'bad-query');
	});

	after(async () => {
		await api(await login('rso'), 'PUT', `/api/v1/posts/${postId}/posture`, { posture: 'normal' });
	});
});
