// feed.test.mjs — the live feed (GET /api/v1/events/stream): server-sent
// events of new incidents and trend alerts, each delivered only to those
// whose detail route would answer it (role, post, TLP:RED recipients),
// resumable with Last-Event-ID.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, hqAdmin, login, secondPost, server, uniq } from './harness.mjs';

before(server);

const ago = (hours) => new Date(Date.now() - hours * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');

// A stream of one session: collects events as they arrive.
class Stream {
	static async open(session, headers = {}) {
		const s = new Stream();
		s.ctl = new AbortController();
		const res = await fetch(`${(await server()).base}/api/v1/events/stream`, {
			headers: { Cookie: session.cookie, Accept: 'text/event-stream', ...headers }, signal: s.ctl.signal,
		});
		s.status = res.status;
		s.type = res.headers.get('content-type');
		s.events = [];
		s.text = '';
		if (res.status !== 200) { s.body = await res.text(); return s; }
		s.reading = (async () => {
			const dec = new TextDecoder();
			try {
				for await (const chunk of res.body) {
					s.text += dec.decode(chunk, { stream: true });
					let i;
					while ((i = s.text.indexOf('\n\n')) >= 0) {
						const block = s.text.slice(0, i);
						s.text = s.text.slice(i + 2);
						const ev = { id: null, event: 'message', data: '' };
						for (const line of block.split('\n')) {
							if (line.startsWith('id: ')) ev.id = line.slice(4);
							else if (line.startsWith('event: ')) ev.event = line.slice(7);
							else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
						}
						if (ev.data !== '') s.events.push(ev);
					}
				}
			} catch { /* aborted */ }
		})();
		return s;
	}
	// Wait until an event matches, or time out and return undefined.
	async waitFor(pred, ms = 4000) {
		const end = Date.now() + ms;
		while (Date.now() < end) {
			const hit = this.events.find(pred);
			if (hit) return hit;
			await new Promise((r) => setTimeout(r, 50));
		}
		return undefined;
	}
	close() { this.ctl?.abort(); }
}

const streams = [];
after(() => streams.forEach((s) => s.close()));
async function open(username, headers) {
	const s = await Stream.open(await login(username), headers);
	streams.push(s);
	return s;
}

async function report(session, fields = {}) {
	const r = await api(session, 'POST', '/api/v1/incidents', {
		post_id: await demoPost(), type: 'crime', category: 'crime', severity: 'Moderate',
		title: uniq('API test feed'), occurred_at: ago(1), classification: 'UNCLASSIFIED', tlp: 'CLEAR', ...fields,
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}

describe('the live feed', () => {
	test('needs a session and answers text/event-stream', async () => {
		assertProblem(await get(null, '/api/v1/events/stream'), 401, 'unauthenticated');
		const s = await open('guard');
		assert.equal(s.status, 200);
		assert.match(s.type, /^text\/event-stream/);
	});

	test('a new incident reaches those who may read it, and no one else', async () => {
		const rso = await open('rso');
		const guard = await open('guard');
		const staff = await open('staff');
		const inc = await report(await login('analyst'));
		const seen = await rso.waitFor((e) => e.data.object_id === inc.id);
		assert.ok(seen, 'the security officer sees the new incident');
		assert.equal(seen.event, 'incident.reported');
		assert.equal(seen.data.title, inc.title);
		assert.equal(seen.data.severity, 'Moderate');
		assert.equal(seen.data.category, 'crime');
		assert.match(seen.id, /^\d+$/);
		assert.ok(await guard.waitFor((e) => e.data.object_id === inc.id), 'guards read incidents');
		// Staff report incidents but read only their own: not this one.
		assert.equal(await staff.waitFor((e) => e.data.object_id === inc.id, 800), undefined);
	});

	test('TLP:RED goes to its named recipients only; another post sees nothing', async () => {
		const analystUser = (await login('analyst')).user;
		const analyst = await open('analyst');
		const rso = await open('rso');
		const red = await report(await login('guard'), { tlp: 'RED', recipients: [analystUser.id], title: uniq('API test feed RED') });
		assert.ok(await analyst.waitFor((e) => e.data.object_id === red.id), 'the recipient sees it');
		assert.equal(await rso.waitFor((e) => e.data.object_id === red.id, 800), undefined,
			'not even the security officer unless named (the reporter is)');
		// An incident of another post: HQ sees it, Nairobi's officer does not.
		const other = await secondPost();
		const hq = await hqAdmin();
		const hqStream = await Stream.open(hq);
		streams.push(hqStream);
		const inc = await report(hq, { post_id: other.post.id });
		assert.ok(await hqStream.waitFor((e) => e.data.object_id === inc.id), 'HQ sees every post');
		assert.equal(await rso.waitFor((e) => e.data.object_id === inc.id, 800), undefined);
	});

	test('Last-Event-ID resumes after the last event seen', async () => {
		const first = await open('rso');
		const a = await report(await login('rso'));
		const seenA = await first.waitFor((e) => e.data.object_id === a.id);
		assert.ok(seenA);
		first.close();
		const b = await report(await login('rso'));
		const c = await report(await login('rso'));
		const again = await open('rso', { 'Last-Event-ID': seenA.id });
		assert.ok(await again.waitFor((e) => e.data.object_id === b.id), 'missed while away');
		assert.ok(await again.waitFor((e) => e.data.object_id === c.id));
		assert.equal(again.events.some((e) => e.data.object_id === a.id), false, 'not again');
	});

	test('a burst in a category raises a trend alert on the feed, with its numbers', async () => {
		const rso = await open('rso');
		const session = await login('rso');
		// A category quiet in the demo history: sabotage filed as technical/cyber.
		for (let i = 0; i < 8; i++)
			await report(session, { type: 'sabotage', category: 'technical_cyber', severity: 'Minor', title: uniq(`API test feed burst ${i}`) });
		const alert = await rso.waitFor((e) => e.event === 'trend.alert' && e.data.category === 'technical_cyber', 6000);
		if (!alert) {
			// Already alerting before this test (another test's burst): the
			// trends route must say so.
			const t = await get(session, `/api/v1/posts/${await demoPost()}/trends`);
			assert.ok(t.json.categories.find((c) => c.category === 'technical_cyber').alert, 'alerting');
			return;
		}
		assert.match(alert.data.explanation, /incidents in the last 7 days/);
		assert.ok(alert.data.p_value < 0.01);
		assert.ok(alert.data.recent >= 3);
	});

	test('a trend alert counts only what every reader it reaches may read', async () => {
		// A post of its own, and a guard there cleared for UNCLASSIFIED: the
		// alert goes to every reader of the post's incidents, so SECRET
		// incidents must not make it, nor show in its numbers.
		const hq = await hqAdmin();
		const p = await api(hq, 'POST', '/api/v1/posts', {
			name: uniq('API test feed trend post'), kind: 'consulate', country: 'TZ', city: 'Mwanza',
			timezone: 'Africa/Dar_es_Salaam',
		});
		assert.equal(p.status, 201, p.text);
		const postId = p.json.id;
		const username = uniq('apitest-feed-low').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
		const u = await api(hq, 'POST', '/api/v1/users', {
			username, password: 'correct horse battery staple 12', roles: ['guard'], clearance: 'UNCLASSIFIED',
			display_name: 'API feed low guard', post_id: postId,
		});
		assert.equal(u.status, 201, u.text);
		const guard = await login(username, { password: 'correct horse battery staple 12' });
		const stream = await Stream.open(guard);
		streams.push(stream);
		const at = { post_id: postId, type: 'other', category: 'human_intelligence', severity: 'Minor' };
		// The post's first incident only records its trend state.
		await report(hq, { ...at, category: 'crime', title: uniq('API test feed trend first') });
		for (let i = 0; i < 4; i++)
			await report(hq, { ...at, classification: 'SECRET', title: uniq(`API test feed secret ${i}`), occurred_at: ago(2 + i) });
		// The feed handles events in order: once the guard has this one, the
		// trends after the SECRET ones were checked.
		const mark = await report(hq, { ...at, category: 'crime', title: uniq('API test feed trend mark') });
		assert.ok(await stream.waitFor((e) => e.data.object_id === mark.id, 6000));
		const isAlert = (e) => e.event === 'trend.alert' && e.data.post_id === postId &&
			e.data.category === 'human_intelligence';
		assert.equal(stream.events.find(isAlert), undefined, 'an alert of SECRET incidents the guard may not read');
		for (let i = 0; i < 3; i++)
			await report(hq, { ...at, title: uniq(`API test feed open ${i}`), occurred_at: ago(10 + i) });
		const alert = await stream.waitFor(isAlert, 6000);
		assert.ok(alert, 'three incidents the guard reads in a silent quarter alert');
		const t = await get(guard, `/api/v1/posts/${postId}/trends`);
		assert.equal(t.status, 200, t.text);
		assert.equal(t.json.categories.find((c) => c.category === 'human_intelligence').recent, 3);
		assert.equal(alert.data.recent, 3, 'only what the guard reads');
	});
});

// A user of the demo post, made for one test, signed in.
async function freshUser(role) {
	const username = uniq(`apitest-feed-${role}`).toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
	const password = 'correct horse battery staple 11';
	const r = await api(await hqAdmin(), 'POST', '/api/v1/users', {
		username, password, roles: [role], clearance: 'SECRET', display_name: `API feed ${role}`, post_id: await demoPost(),
	});
	assert.equal(r.status, 201, r.text);
	return { id: r.json.id, session: await login(username, { password }) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Whether the stream's body ends within ms.
const endsWithin = (s, ms) => Promise.race([s.reading.then(() => true), sleep(ms).then(() => false)]);

describe('a stream lives no longer than its session', () => {
	test('logging out ends the stream at once, and it cannot be opened again', async () => {
		const session = await login('rso', { fresh: true });
		const s = await Stream.open(session);
		streams.push(s);
		assert.equal(s.status, 200);
		assert.equal((await api(session, 'POST', '/api/v1/auth/logout')).status, 204);
		assert.ok(await endsWithin(s, 5000), 'the stream ended with the session');
		const again = await Stream.open(session);
		assert.equal(again.status, 401);
	});

	test('a user who loses a role stops receiving; a disabled user loses the stream', async () => {
		const kept = await freshUser('analyst');
		const demoted = await freshUser('analyst');
		const a = await Stream.open(kept.session);
		const b = await Stream.open(demoted.session);
		streams.push(a, b);
		const before = await report(await login('rso'));
		assert.ok(await a.waitFor((e) => e.data.object_id === before.id));
		assert.ok(await b.waitFor((e) => e.data.object_id === before.id), 'an analyst reads incidents');

		const admin = await hqAdmin();
		assert.equal((await api(admin, 'PATCH', `/api/v1/users/${demoted.id}`, { roles: ['staff'] })).status, 204);
		await sleep(1000);
		const after = await report(await login('rso'));
		assert.ok(await a.waitFor((e) => e.data.object_id === after.id));
		await sleep(500);
		assert.equal(b.events.some((e) => e.data.object_id === after.id), false,
			'staff read only their own incidents: the stream judges by the role held now');

		assert.equal((await api(admin, 'PATCH', `/api/v1/users/${kept.id}`, { disabled: true })).status, 204);
		assert.ok(await endsWithin(a, 5000), 'the disabled user\'s stream ended');
		assert.equal(await endsWithin(b, 300), false, 'the other stream lives on');
	});
});
