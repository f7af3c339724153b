// screening.test.mjs — watchlist screening through the API: the demo's real
// OFAC and UN lists, a custom list imported as versions (summary, stable
// entry ids), lookout entries, screening one subject and a batch, the review
// queue, adjudication and its memory (a dismissed subject and entry stay
// dismissed until either changes), re-screening after a list update,
// thresholds, and who may do what.  Names made here are unique per run
// (the server and, on PostgreSQL, the database are shared).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, hqAdmin, login, newPerson, REPO, secondPost, server } from './harness.mjs';

before(server);

const REAL_LISTS = existsSync(join(REPO, '..', 'shared', 'data', 'watchlists', 'ofac-sdn-2021-07'));

// A made-up word of letters only, unique per run: the engine reads letters.
function word() {
	let s = '';
	for (let i = 0; i < 9; i++) s += String.fromCharCode(97 + Math.floor(Math.random() * 26));
	return s[0].toUpperCase() + s.slice(1);
}

async function customList(session, name) {
	const r = await api(session, 'POST', '/api/v1/watchlists', {
		name, source: 'custom', post_id: await demoPost(),
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function importCsv(session, listId, csv) {
	const r = await api(session, 'POST', `/api/v1/watchlists/${listId}/versions`, {
		format: 'custom', content: csv, origin: 'api test',
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function screen(session, fields) {
	const r = await api(session, 'POST', '/api/v1/screenings', { post_id: await demoPost(), ...fields });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

describe('the real lists', { skip: !REAL_LISTS && 'no ../shared/data/watchlists' }, () => {
	test('the demo holds the OFAC SDN, consolidated and UN lists with the files\' counts', async () => {
		const r = await get(await login('rso'), '/api/v1/watchlists');
		assert.equal(r.status, 200, r.text);
		const by = Object.fromEntries(r.json.items.map((l) => [l.source, l]));
		assert.equal(by['ofac-sdn'].entries, 8976);
		assert.equal(by['ofac-cons'].entries, 442);
		assert.equal(by.un.entries, 1003);
		assert.equal(by.un.post_id, null);
		const v = await get(await login('rso'), `/api/v1/watchlists/${by['ofac-sdn'].id}/versions`);
		assert.equal(v.json.items[0].number, 1);
		assert.equal(v.json.items[0].summary.added, 8976);
	});

	test('a guard screens a listed name and gets hits with explanations', async () => {
		const s = await screen(await login('guard'), { name: 'Ayman al-Zawahiri', dob: '1951' });
		assert.ok(s.hits.length >= 2, JSON.stringify(s.hits.map((h) => h.entry.name)));
		const refs = s.hits.map((h) => h.entry.ref);
		assert.ok(refs.includes('2676'), `OFAC SDN 2676 in ${refs}`);
		assert.ok(refs.includes('QDi.006'), `UN QDi.006 in ${refs}`);
		const top = s.hits[0];
		assert.equal(top.level, 'alert');
		assert.ok(top.score >= 0.9);
		assert.ok(Array.isArray(top.explanation.factors) && top.explanation.factors.length > 0);
		assert.ok(top.explanation.factors.some((f) => f.name === 'dob'));
	});

	test('an unlisted name gets no hits', async () => {
		const s = await screen(await login('guard'), { name: `${word()} ${word()}` });
		assert.equal(s.hits.length, 0, JSON.stringify(s.hits));
	});
});

describe('custom lists and versions', () => {
	test('each import is a version with its summary; unchanged entries keep their ids', async () => {
		const rso = await login('rso');
		const a = word(), b = word(), c = word(), d = word();
		const list = await customList(rso, `API test list ${a}`);
		const v1 = await importCsv(rso, list.id,
			`ref,name,dob\n1,"${a}, Ivan",1960\n2,"${b}, Olga",1970\n3,"${c} Trading",\n`);
		assert.deepEqual(v1.summary, { added: 3, removed: 0, changed: 0, unchanged: 0 });
		const e1 = (await get(rso, `/api/v1/watchlists/${list.id}/entries`)).json.items;
		const v2 = await importCsv(rso, list.id,
			`ref,name,dob\n1,"${a}, Ivan",1960\n2,"${b}, Olga",1971\n4,"${d}, Anna",1980\n`);
		assert.equal(v2.number, 2);
		assert.deepEqual(v2.summary, { added: 1, removed: 1, changed: 1, unchanged: 1 });
		const e2 = (await get(rso, `/api/v1/watchlists/${list.id}/entries`)).json.items;
		const id = (items, ref) => items.find((e) => e.ref === ref)?.id;
		assert.equal(id(e1, '1'), id(e2, '1'));
		assert.notEqual(id(e1, '2'), id(e2, '2'));
		assert.equal(id(e2, '3'), undefined);
		const versions = (await get(rso, `/api/v1/watchlists/${list.id}/versions`)).json.items;
		assert.deepEqual(versions.map((v) => v.number), [2, 1]);
		const page1 = await get(rso, `/api/v1/watchlists/${list.id}/entries?limit=2`);
		assert.deepEqual(page1.json.items.map((e) => e.ref), ['1', '2']);
		const page2 = await get(rso, `/api/v1/watchlists/${list.id}/entries?limit=2&cursor=${page1.json.next_cursor}`);
		assert.deepEqual(page2.json.items.map((e) => e.ref), ['4']);
		assert.equal(page2.json.next_cursor, null);
		assertProblem(await get(rso, `/api/v1/watchlists/${list.id}/entries?cursor=zz`), 400, 'bad-cursor');
	});

	test('OFAC files through the API: remarks, aliases and the 0x1A byte', async () => {
		const hq = await hqAdmin();
		const a = word();
		const list = await api(hq, 'POST', '/api/v1/watchlists', { name: `API test OFAC ${a}`, source: 'ofac-sdn' });
		assert.equal(list.status, 201, list.text);
		const row = `7,"${a.toUpperCase()}, Ivan","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,`
			+ `"DOB circa 1960; nationality Korea, North; Gender Male; a.k.a. 'VANYA'."\r\n\u001a`;
		const r = await api(hq, 'POST', `/api/v1/watchlists/${list.json.id}/versions`, {
			format: 'ofac-sdn', primary: row, alt: `7,1,"aka","${a.toUpperCase()}, I.",-0- \r\n\u001a`,
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.summary.added, 1);
		const e = (await get(hq, `/api/v1/watchlists/${list.json.id}/entries`)).json.items[0].entry;
		assert.deepEqual(e.names.map((n) => n.quality), ['primary', 'strong', 'weak']);
		assert.deepEqual(e.nationalities, ['KP']);
		assert.equal(e.gender, 'M');
		assert.deepEqual(e.dates_of_birth, [{ year: 1960, year_to: 0, month: 0, day: 0, circa: true }]);
	});

	test('a bad file is refused with its line and column, and nothing is stored', async () => {
		const rso = await login('rso');
		const list = await customList(rso, `API test list ${word()}`);
		const r = await api(rso, 'POST', `/api/v1/watchlists/${list.id}/versions`, {
			format: 'custom', content: 'name,dob\nA,1960\nB,yesterday\n',
		});
		assertProblem(r, 422, 'validation', /line 3, column dob/);
		const v = await get(rso, `/api/v1/watchlists/${list.id}/versions`);
		assert.equal(v.json.items.length, 0);
		const x = await api(rso, 'POST', `/api/v1/watchlists/${list.id}/versions`, {
			format: 'un', content: '<!DOCTYPE x [<!ENTITY a "b">]><CONSOLIDATED_LIST/>',
		});
		assertProblem(x, 422, 'validation', /DOCTYPE/);
	});
});

describe('adjudication', () => {
	test('a dismissed subject and entry stay dismissed until either side changes', async () => {
		const rso = await login('rso'), guard = await login('guard');
		const family = word(), given = word();
		const list = await customList(rso, `API test list ${word()}`);
		await importCsv(rso, list.id, `ref,name,dob,nationality\nx1,"${family}, ${given}",1966,FR\n`);
		const subject = { name: `${given} ${family}`, dob: '1966-05-01', nationality: 'FR' };
		const first = await screen(guard, subject);
		const hit = first.hits.find((h) => h.list.id === list.id);
		assert.ok(hit, JSON.stringify(first.hits));
		assert.equal(hit.status, 'open');
		assert.equal(hit.subject.name, subject.name);

		const queue = (await get(rso, '/api/v1/hits?status=open&limit=500')).json.items;
		assert.ok(queue.some((h) => h.id === hit.id));
		const path = `/api/v1/hits/${hit.id}/adjudication`;
		assertProblem(await api(guard, 'POST', path, { decision: 'dismissed', reason: 'x' }), 403, 'forbidden');
		assertProblem(await api(rso, 'POST', path, { decision: 'dismissed' }), 422, 'validation', undefined, '/reason');
		const d = await api(rso, 'POST', path, { decision: 'dismissed', reason: 'another man: passport seen' });
		assert.equal(d.status, 200, d.text);
		assert.equal(d.json.status, 'dismissed');
		assert.equal(d.json.decision.reason, 'another man: passport seen');
		assert.equal(d.json.decision.decided_by, 'rso');
		assertProblem(await api(rso, 'POST', path, { decision: 'confirmed', reason: 'again' }), 409, 'conflict');

		const again = await screen(guard, subject);
		const h2 = again.hits.find((h) => h.list.id === list.id);
		assert.equal(h2.status, 'dismissed', 'remembered');
		assert.equal(h2.decision.reason, 'another man: passport seen');
		const open = (await get(rso, '/api/v1/hits?limit=500')).json.items;
		assert.ok(!open.some((h) => h.id === h2.id), 'not in the queue');

		const other = await screen(guard, { ...subject, dob: '1967' });
		assert.equal(other.hits.find((h) => h.list.id === list.id).status, 'open', 'the subject changed');

		await importCsv(rso, list.id, `ref,name,dob,nationality\nx1,"${family}, ${given}",1966,FR;BE\n`);
		const changed = await screen(guard, subject);
		assert.equal(changed.hits.find((h) => h.list.id === list.id).status, 'open', 'the entry changed');
	});

	test('a batch screens several subjects', async () => {
		const guard = await login('guard');
		const r = await api(guard, 'POST', '/api/v1/screenings', {
			post_id: await demoPost(), subjects: [{ name: `${word()} ${word()}` }, { name: `${word()} ${word()}` }],
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.results.length, 2);
		const bad = await api(guard, 'POST', '/api/v1/screenings', {
			post_id: await demoPost(), subjects: [{ name: 'A B' }, { name: 'C D', gender: 'X' }],
		});
		assertProblem(bad, 422, 'validation', undefined, '/subjects/1/gender');
	});
});

describe('lookout entries', () => {
	test('a lookout entry re-screens the post and raises a hit on a person', async () => {
		const rso = await login('rso');
		const family = word();
		const p = await newPerson({ given_name: 'Marta', family_name: family });
		const post = await demoPost();
		const r = await api(rso, 'POST', `/api/v1/posts/${post}/lookout`, {
			name: `${family}, Marta`, reason: 'made threats at the visa counter', seriousness: 'high',
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.seriousness, 'high');
		const queue = (await get(rso, `/api/v1/hits?post_id=${post}&limit=500`)).json.items;
		const hit = queue.find((h) => h.subject.id === p.id);
		assert.ok(hit, 'the person was re-screened');
		assert.equal(hit.list.name, 'Lookout');

		const list = (await get(rso, `/api/v1/posts/${post}/lookout`)).json.items;
		assert.ok(list.some((e) => e.id === r.json.id));
		const u = await api(rso, 'PUT', `/api/v1/lookout/${r.json.id}`, {
			name: `${family}, Marta`, reason: 'threats, twice', seriousness: 'medium',
		});
		assert.equal(u.status, 200, u.text);
		assert.notEqual(u.json.id, r.json.id, 'new content, new id');
		assert.equal(u.json.ref, r.json.ref, 'same ref');
		assert.equal((await api(rso, 'DELETE', `/api/v1/lookout/${u.json.id}`)).status, 204);
		assertProblem(await api(rso, 'DELETE', `/api/v1/lookout/${u.json.id}`), 404, 'not-found');
		assertProblem(await api(rso, 'POST', `/api/v1/posts/${post}/lookout`, {
			name: 'X Y', reason: 'r', seriousness: 'extreme',
		}), 422, 'validation', undefined, '/seriousness');
	});

	test("another post's lookout list takes no entry from this post's officer", async () => {
		// Whether that post's list exists yet or not, the answer is the same.
		const { post } = await secondPost();
		const hq = await hqAdmin();
		const first = await api(hq, 'POST', `/api/v1/posts/${post.id}/lookout`, {
			name: `${word()}, Amani`, reason: 'API test: the list exists', seriousness: 'low',
		});
		assert.equal(first.status, 201, first.text);
		const family = word();
		assertProblem(await api(await login('rso'), 'POST', `/api/v1/posts/${post.id}/lookout`, {
			name: `${family}, Juma`, reason: 'API test: from another post', seriousness: 'high',
		}), 403, 'forbidden');
		const list = (await get(hq, `/api/v1/posts/${post.id}/lookout`)).json.items;
		assert.ok(list.some((e) => e.id === first.json.id));
		assert.equal(list.some((e) => JSON.stringify(e).includes(family)), false, 'written into the other post');
		assert.equal((await api(hq, 'DELETE', `/api/v1/lookout/${first.json.id}`)).status, 204);
	});
});

describe('a screening names its subject', () => {
	test("a subject of another post is refused, so another post's visit is not held", async () => {
		// A hit of a screening whose subject is a visit holds that visit's
		// check-in wherever the screening was run; a guard of another post
		// must not attach one to this post's visitor (its officer would not
		// even see the hit to dismiss it).
		const { post } = await secondPost();
		const hq = await hqAdmin();
		const name = `${word()} ${word()}`;
		const l = await api(hq, 'POST', `/api/v1/posts/${post.id}/lookout`, {
			name, reason: 'API test: the other post', seriousness: 'high',
		});
		assert.equal(l.status, 201, l.text);
		const rso = await login('rso');
		const zones = (await get(rso, `/api/v1/posts/${await demoPost()}/zones`)).json.items;
		const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
		const v = await api(await login('staff'), 'POST', '/api/v1/visitors', {
			post_id: await demoPost(), name: `${word()} ${word()}`, purpose: 'API test meeting',
			arrival: iso(Date.now() - 10 * 60000), departure: iso(Date.now() + 3 * 3600000),
			zone_ids: [zones[0].id],
		});
		assert.equal(v.status, 201, v.text);
		assert.equal(v.json.screening.state, 'clear');
		const username = `apitestscr${word().toLowerCase()}`;
		const u = await api(hq, 'POST', '/api/v1/users', {
			username, password: 'correct horse battery staple 13', roles: ['guard'], clearance: 'UNCLASSIFIED',
			display_name: 'API screening guard', post_id: post.id,
		});
		assert.equal(u.status, 201, u.text);
		const guard = await login(username, { password: 'correct horse battery staple 13' });
		const r = await api(guard, 'POST', '/api/v1/screenings', {
			post_id: post.id, name, subject_type: 'visitor', subject_id: v.json.id,
		});
		assertProblem(r, 422, 'validation', undefined, '/subject_id');
		const after = await get(rso, `/api/v1/visitors/${v.json.id}`);
		assert.equal(after.json.screening.state, 'clear', 'held by a screening of another post');
		assert.equal((await api(hq, 'DELETE', `/api/v1/lookout/${l.json.id}`)).status, 204);
		assert.equal((await api(await login('staff'), 'POST', `/api/v1/visitors/${v.json.id}/cancel`)).status, 200);
	});
});

describe('thresholds and permissions', () => {
	test('thresholds per post', async () => {
		const rso = await login('rso');
		const post = await demoPost();
		const g = await get(rso, `/api/v1/posts/${post}/screening-settings`);
		assert.equal(g.status, 200, g.text);
		assert.ok(g.json.review > 0 && g.json.review <= g.json.alert);
		assertProblem(await api(rso, 'PUT', `/api/v1/posts/${post}/screening-settings`, { review: 0.9, alert: 0.8 }),
			422, 'validation', undefined, '/alert');
		const p = await api(rso, 'PUT', `/api/v1/posts/${post}/screening-settings`, g.json.review
			? { review: g.json.review, alert: g.json.alert } : {});
		assert.equal(p.status, 200, p.text);
		assertProblem(await api(await login('guard'), 'PUT', `/api/v1/posts/${post}/screening-settings`,
			{ review: 0.8, alert: 0.9 }), 403, 'forbidden');
	});

	test('who may screen, review, adjudicate and manage lists', async () => {
		const post = await demoPost();
		assertProblem(await get(await login('staff'), '/api/v1/watchlists'), 403, 'forbidden');
		assertProblem(await api(await login('analyst'), 'POST', '/api/v1/screenings', { post_id: post, name: 'A B' }),
			403, 'forbidden');
		assertProblem(await get(await login('guard'), '/api/v1/hits'), 403, 'forbidden');
		assertProblem(await api(await login('rso'), 'POST', '/api/v1/watchlists', { name: 'G', source: 'un' }),
			403, 'forbidden');
		const hq = await hqAdmin();
		const g = await api(hq, 'POST', '/api/v1/watchlists', { name: `API test global ${word()}`, source: 'custom' });
		assert.equal(g.status, 201, g.text);
		assert.equal(g.json.post_id, null);
	});
});
