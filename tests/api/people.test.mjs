// people.test.mjs — the people routes: list, search across scripts, filters,
// cursor paging, one person with immunity / household / training, create,
// PATCH with If-Match, household rules, training, and the post scope.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import {
	allPeople, api, assertProblem, CH_BIN, DEMO_PEOPLE, demoPost, get, hqAdmin, login, newPerson, person,
	secondPost, server, TEST_POSITION, today, uniq,
} from './harness.mjs';

before(server);

const demoOnly = (items) => items.filter((p) => p.position !== TEST_POSITION);

// The status GET /people/{id} should give a training record today.
function trainingStatus(expires) {
	if (expires === null) return 'valid';
	const now = today();
	if (expires < now) return 'expired';
	const soon = new Date(Date.parse(`${now}T00:00:00Z`) + 30 * 86400e3).toISOString().slice(0, 10);
	return expires <= soon ? 'expiring' : 'valid';
}

async function getPerson(session, fullName) {
	const p = await person(fullName);
	const r = await get(session, `/api/v1/people/${p.id}`);
	assert.equal(r.status, 200, r.text);
	return r;
}

describe('list and search', () => {
	test('the default page has 50 people and a cursor', async () => {
		const r = await get(await login('rso'), '/api/v1/people');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.items.length, 50);
		assert.equal(typeof r.json.next_cursor, 'string');
		const first = r.json.items[0];
		for (const k of ['id', 'given_name', 'family_name', 'full_name', 'category', 'category_label',
			'nationality', 'host_national', 'permanent_resident', 'post_id', 'position',
			'household_of', 'immunity'])
			assert.ok(k in first, `list item has ${k}`);
		assert.equal(first.full_name, `${first.given_name} ${first.family_name}`);
	});

	test('paging with limit=7 returns each demo person exactly once, in order', async () => {
		const rso = await login('rso');
		const paged = await allPeople(rso, '', 7);
		const whole = await allPeople(rso, '', 200);
		assert.equal(whole.pages.length, 1, 'one page of 200 holds everyone');
		// Every page but the last is full; the last is not empty.
		const pages = paged.pages;
		assert.ok(pages.slice(0, -1).every((n) => n === 7), JSON.stringify(pages));
		assert.ok(pages.at(-1) >= 1 && pages.at(-1) <= 7, JSON.stringify(pages));
		const ids = paged.items.map((p) => p.id);
		assert.equal(new Set(ids).size, ids.length, 'no one twice');
		assert.deepEqual(ids, whole.items.map((p) => p.id), 'paging keeps the one-page order');
		const demo = demoOnly(paged.items);
		assert.equal(demo.length, DEMO_PEOPLE);
		assert.equal(new Set(demo.map((p) => p.full_name)).size, DEMO_PEOPLE,
			'61 different demo names');
		const postId = await demoPost();
		assert.ok(paged.items.every((p) => p.post_id === postId), 'rso sees only the demo post');
		// Sorted by family name, then given name (checked on plain ASCII names,
		// whose sort keys are just the lower-cased names).
		const key = (p) => `${p.family_name} ${p.given_name}`.toLowerCase();
		const plain = paged.items.filter((p) => /^[A-Za-z ]+$/.test(`${p.family_name}${p.given_name}`));
		assert.ok(plain.length > 40);
		for (let i = 1; i < plain.length; i++)
			assert.ok(key(plain[i - 1]) <= key(plain[i]), `${key(plain[i - 1])} before ${key(plain[i])}`);
	});

	test('search across scripts: Παπαδοπούλου, papadopoulou and PAPADOPOULOU and the full Greek name find her', async () => {
		const rso = await login('rso');
		const found = [];
		for (const q of ['Παπαδοπούλου', 'papadopoulou', 'PAPADOPOULOU', 'Σοφία Παπαδοπούλου']) {
			const r = await get(rso, `/api/v1/people?q=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.items.length, 1, `${q}: ${r.text}`);
			assert.equal(r.json.next_cursor, null);
			found.push(r.json.items[0]);
		}
		assert.equal(found[0].full_name, 'Σοφία Παπαδοπούλου');
		assert.equal(found[0].position, 'Consular Assistant');
		assert.equal(found[0].category, 'consular_employee');
		assert.ok(found.every((p) => p.id === found[0].id));
	});

	test('search: Cyrillic and Latin spellings of Петренко find the same contractor', async () => {
		const rso = await login('rso');
		const a = await get(rso, `/api/v1/people?q=${encodeURIComponent('Петренко')}`);
		const b = await get(rso, '/api/v1/people?q=petrenko');
		assert.equal(a.json.items.length, 1, a.text);
		assert.equal(b.json.items.length, 1, b.text);
		assert.equal(a.json.items[0].id, b.json.items[0].id);
		assert.equal(a.json.items[0].category, 'contractor');
	});

	test('a search that matches no one returns an empty page', async () => {
		const r = await get(await login('rso'), '/api/v1/people?q=zzqxnomatch');
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, { items: [], next_cursor: null });
	});

	test('filters: category and host_national', async () => {
		const rso = await login('rso');
		const da = await allPeople(rso, 'category=diplomatic_agent');
		assert.ok(da.items.every((p) => p.category === 'diplomatic_agent'));
		assert.equal(demoOnly(da.items).length, 10);
		const fm = await allPeople(rso, 'category=family_member');
		assert.equal(demoOnly(fm.items).length, 16);
		assert.ok(fm.items.every((p) => p.household_of !== null));
		const nat = await allPeople(rso, 'host_national=true');
		assert.ok(nat.items.every((p) => p.host_national === true));
		assert.ok(nat.items.some((p) => p.full_name === 'Wanjiru Kamau'));
		const foreign = await allPeople(rso, 'host_national=false');
		assert.ok(foreign.items.every((p) => p.host_national === false));
		assert.equal(demoOnly(nat.items).length + demoOnly(foreign.items).length, DEMO_PEOPLE);
		const both = await allPeople(rso, 'category=locally_employed&host_national=true');
		assert.equal(demoOnly(both.items).length, 10);
	});

	test('bad query parameters answer 400 bad-query', async () => {
		const rso = await login('rso');
		for (const limit of ['0', '201', 'ten', '-1', '7.5', '']) {
			const r = await get(rso, `/api/v1/people?limit=${limit}`);
			assertProblem(r, 400, 'bad-query', 'limit must be a whole number from 1 to 200.');
		}
		assertProblem(await get(rso, '/api/v1/people?category=ambassador'), 400, 'bad-query',
			/category is not a staff category; see \/api\/v1\/reference\/staff-categories/);
		assertProblem(await get(rso, '/api/v1/people?host_national=yes'), 400, 'bad-query',
			'host_national must be true or false.');
		assertProblem(await get(rso, '/api/v1/people?post_id=nairobi'), 400, 'bad-query',
			'post_id must be a post id.');
		assertProblem(await get(rso, `/api/v1/people?q=${'a'.repeat(201)}`), 400, 'bad-query',
			/at most 200 bytes/);
	});

	test('limit=200 is allowed; a forged cursor answers 400 bad-cursor', async () => {
		const rso = await login('rso');
		assert.equal((await get(rso, '/api/v1/people?limit=200')).status, 200);
		for (const cursor of ['zz', 'abc', '00', Buffer.from('holm anders\x1fnot-an-id').toString('hex')]) {
			const r = await get(rso, `/api/v1/people?cursor=${cursor}`);
			assertProblem(r, 400, 'bad-cursor', /cursor is not one this server gave out/);
		}
	});
});

describe('one person', () => {
	test('Helena Varga: ETag, household, training and a diplomatic agent\'s immunity', async () => {
		const r = await getPerson(await login('rso'), 'Helena Varga');
		const p = r.json;
		assert.equal(r.headers.get('etag'), `"${p.version}"`);
		assert.equal(p.version, 1);
		assert.equal(p.category, 'diplomatic_agent');
		assert.equal(p.position, 'Deputy Chief of Mission');
		assert.equal(p.arrived_on, '2025-01-06');
		assert.deepEqual(p.household.map((m) => [m.full_name, m.relationship]).sort(),
			[['Lili Varga', 'child'], ['Tomas Varga', 'spouse']]);
		assert.deepEqual(p.training.map((t) => t.course).sort(),
			['Counter-threat course', 'Security briefing']);
		for (const t of p.training) assert.equal(t.status, trainingStatus(t.expires_on), t.course);
		const im = p.immunity;
		assert.equal(im.convention, 'VCDR 1961');
		assert.equal(im.arrest, 'never');
		assert.equal(im.criminal, 'full');
		assert.equal(im.civil, 'full');
		assert.equal(im.administrative, 'full');
		assert.equal(im.residence_inviolable, true);
		assert.equal(im.waivable, true);
		assert.match(im.waiver, /VCDR Art\. 32/);
		assert.ok(im.articles.includes('VCDR Art. 29'));
		assert.equal(im.starts_on, '2025-01-06');
		assert.equal(im.ends_on, null);
		assert.equal(im.in_force, true);
	});

	test('GET /people/{id}/immunity is the profile GET /people/{id} shows', async () => {
		const rso = await login('rso');
		for (const name of ['Helena Varga', 'Nils Eriksen', 'Karin Holm']) {
			const p = await person(name);
			const whole = await get(rso, `/api/v1/people/${p.id}`);
			const im = await get(rso, `/api/v1/people/${p.id}/immunity`);
			assert.equal(im.status, 200);
			assert.deepEqual(im.json, whole.json.immunity, name);
		}
	});

	test('Camilla Berg: arrived 2026-11-18, ministry not notified: protection runs from entry', async () => {
		const im = (await getPerson(await login('rso'), 'Camilla Berg')).json.immunity;
		// VCDR Art. 39(1): from entry to take up the post; notification is not needed.
		assert.equal(im.arrest, 'never');
		assert.equal(im.criminal, 'full');
		assert.equal(im.starts_on, '2026-11-18');
		const started = today() >= '2026-11-18';
		assert.equal(im.in_force, started);
		assert.equal(im.notes.some((n) => /not yet notified/.test(n)), false);
		assert.equal(im.notes.some((n) => /has not started yet/.test(n)), !started);
	});

	test('Nils Eriksen (permanent resident diplomatic agent): official acts only', async () => {
		const im = (await getPerson(await login('rso'), 'Nils Eriksen')).json.immunity;
		assert.equal(im.arrest, 'allowed');
		assert.equal(im.criminal, 'official_acts');
		assert.equal(im.civil, 'official_acts');
		assert.equal(im.residence_inviolable, false);
		assert.ok(im.articles.includes('VCDR Art. 38(1)'));
		assert.ok(im.notes.some((n) => /Inviolable only for official acts/.test(n)));
		assert.equal(im.starts_on, '2022-03-01', 'a resident is protected from notification');
		assert.equal(im.in_force, true);
		assert.ok(im.notes.some((n) => /VCCR Art\. 36/.test(n)), 'not a host national: consular notification');
	});

	test('Wanjiru Kamau (A&T staff, host national): as admitted', async () => {
		const im = (await getPerson(await login('rso'), 'Wanjiru Kamau')).json.immunity;
		assert.equal(im.arrest, 'allowed');
		assert.equal(im.criminal, 'as_admitted');
		assert.equal(im.civil, 'as_admitted');
		assert.ok(im.articles.includes('VCDR Art. 38(2)'));
		assert.equal(im.waivable, false);
		assert.equal(im.waiver, null);
		assert.equal(im.starts_on, '2021-06-01');
		assert.ok(!im.notes.some((n) => /VCCR Art\. 36/.test(n)), 'a host national needs no consular notice');
	});

	test('a locally employed guard has no immunity', async () => {
		const r = await getPerson(await login('rso'), 'Kevin Omondi');
		assert.equal(r.json.category, 'locally_employed');
		assert.equal(r.json.position, 'Local Guard');
		const im = r.json.immunity;
		assert.equal(im.convention, 'none');
		assert.deepEqual(im.articles, []);
		assert.equal(im.arrest, 'allowed');
		assert.equal(im.criminal, 'none');
		assert.equal(im.civil, 'none');
		assert.equal(im.waivable, false);
		assert.equal(im.in_force, false);
		assert.equal(im.starts_on, null);
		// His Guard force training expired on 2025-03-11.
		assert.deepEqual(r.json.training.map((t) => [t.course, t.status]),
			[['Guard force training', trainingStatus('2025-03-11')]]);
	});

	test('Astrid Vogel: functions ended 2026-09-30, so not in force', async () => {
		const im = (await getPerson(await login('rso'), 'Astrid Vogel')).json.immunity;
		assert.equal(im.ends_on, '2026-09-30');
		assert.equal(im.in_force, today() <= '2026-09-30');
		assert.equal(im.notes.some((n) => /Functions have ended/.test(n)), today() > '2026-09-30');
	});

	test('a household member: the principal first, immunity from the principal', async () => {
		const rso = await login('rso');
		const karin = (await getPerson(rso, 'Karin Holm')).json;
		const anders = await person('Anders Holm');
		assert.equal(karin.household_of, anders.id);
		assert.equal(karin.relationship, 'spouse');
		assert.deepEqual(karin.household.map((m) => [m.full_name, m.relationship]),
			[['Anders Holm', 'principal'], ['Emil Holm', 'child']]);
		assert.equal(karin.immunity.arrest, 'never');
		assert.equal(karin.immunity.criminal, 'full');
		assert.ok(karin.immunity.articles.includes('VCDR Art. 37(1)'));
		// Host-national spouse of a diplomatic agent: nothing under Art. 37(1).
		const akinyi = (await getPerson(rso, 'Akinyi Dahl')).json;
		assert.equal(akinyi.immunity.arrest, 'allowed');
		assert.equal(akinyi.immunity.criminal, 'none');
		// The principal's own view lists the household without a "principal".
		const a = (await get(rso, `/api/v1/people/${anders.id}`)).json;
		assert.deepEqual(a.household.map((m) => [m.full_name, m.relationship]),
			[['Emil Holm', 'child'], ['Karin Holm', 'spouse']]);
	});

	test('list badges: the short immunity, the same as the full profile, households included', async () => {
		const helena = await person('Helena Varga');
		assert.deepEqual(helena.immunity, { arrest: 'never', criminal: 'full', in_force: true });
		const kevin = await person('Kevin Omondi');
		assert.deepEqual(kevin.immunity, { arrest: 'allowed', criminal: 'none', in_force: false });
		const karin = await person('Karin Holm');
		assert.deepEqual(karin.immunity, { arrest: 'never', criminal: 'full', in_force: true });
		// Every demo row's badge agrees with GET /people/{id}/immunity.
		const rso = await login('rso');
		const { items } = await allPeople(rso);
		const wrong = [];
		for (const p of items.filter((x) => x.position !== TEST_POSITION)) {
			const im = (await get(rso, `/api/v1/people/${p.id}/immunity`)).json;
			const full = { arrest: im.arrest, criminal: im.criminal, in_force: im.in_force };
			if (JSON.stringify(full) !== JSON.stringify(p.immunity))
				wrong.push(`${p.full_name}: list ${JSON.stringify(p.immunity)}, profile ${JSON.stringify(full)}`);
		}
		assert.deepEqual(wrong, []);
	});

	test('an unknown or malformed id answers 404 not-found', async () => {
		const rso = await login('rso');
		for (const id of ['01a2148a-0000-7000-8000-000000000000', 'not-an-id', '1']) {
			assertProblem(await get(rso, `/api/v1/people/${id}`), 404, 'not-found');
			assertProblem(await get(rso, `/api/v1/people/${id}/immunity`), 404, 'not-found');
		}
	});
});

describe('create and change', () => {
	test('a clearance above the writer\'s own is neither given nor changed by them (403 on /clearance)', async () => {
		const username = uniq('api-people-conf-rso');
		const password = 'a long enough passphrase for a test 5521';
		const u = await api(await login('admin'), 'POST', '/api/v1/users', {
			username, password, roles: ['security_officer'], clearance: 'CONFIDENTIAL',
			display_name: 'API people CONFIDENTIAL officer', post_id: await demoPost(),
		});
		assert.equal(u.status, 201, u.text);
		const low = await login(username, { password });
		const body = (clearance) => ({
			given_name: 'Clear', family_name: uniq('Above'), category: 'locally_employed', nationality: 'KE',
			position: TEST_POSITION, clearance,
		});
		const post = await demoPost();
		const secret = await api(low, 'POST', '/api/v1/people', { ...body('SECRET'), post_id: post });
		assertProblem(secret, 403, 'forbidden', /SECRET is above your clearance \(CONFIDENTIAL\)/, '/clearance');
		const ok = await api(low, 'POST', '/api/v1/people', { ...body('CONFIDENTIAL'), post_id: post });
		assert.equal(ok.status, 201, ok.text);
		const raise = await api(low, 'PATCH', `/api/v1/people/${ok.json.id}`, { clearance: 'SECRET' },
			{ 'If-Match': '"1"' });
		assertProblem(raise, 403, 'forbidden', /SECRET is above your clearance/, '/clearance');
		// Someone cleared SECRET holds it; then the CONFIDENTIAL officer may
		// not take it away either, but may change the rest.
		const rso = await login('rso');
		const up = await api(rso, 'PATCH', `/api/v1/people/${ok.json.id}`, { clearance: 'SECRET' },
			{ 'If-Match': '"1"' });
		assert.equal(up.status, 200, up.text);
		const lower = await api(low, 'PATCH', `/api/v1/people/${ok.json.id}`, { clearance: 'UNCLASSIFIED' },
			{ 'If-Match': '"2"' });
		assertProblem(lower, 403, 'forbidden', /SECRET is above your clearance/, '/clearance');
		const other = await api(low, 'PATCH', `/api/v1/people/${ok.json.id}`, { position: `${TEST_POSITION} (moved)` },
			{ 'If-Match': '"2"' });
		assert.equal(other.status, 200, other.text);
		assert.equal(other.json.clearance, 'SECRET');
	});

	test('POST /people: 201, Location, ETag "1", and the record reads back', async () => {
		const rso = await login('rso');
		const body = {
			post_id: await demoPost(), given_name: 'Ingrid', family_name: 'Sørensen',
			category: 'administrative_technical', nationality: 'DK', position: TEST_POSITION,
			arrived_on: '2026-01-12', notified_on: '2026-01-14', gender: 'female',
			clearance: 'CONFIDENTIAL', email: 'ingrid@example.org', phone: '+254 20 555 0100',
		};
		const r = await api(rso, 'POST', '/api/v1/people', body);
		assert.equal(r.status, 201, r.text);
		assert.match(r.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
		assert.equal(r.headers.get('location'), `/api/v1/people/${r.json.id}`);
		assert.equal(r.headers.get('etag'), '"1"');
		assert.equal(r.json.version, 1);
		for (const [k, v] of Object.entries(body)) assert.equal(r.json[k], v, k);
		assert.equal(r.json.host_national, false);
		const back = await get(rso, r.headers.get('location'));
		assert.equal(back.status, 200);
		assert.equal(back.json.full_name, 'Ingrid Sørensen');
		assert.equal(back.json.immunity.criminal, 'full', 'A&T staff: VCDR 37(2)');
		// Searchable at once, also without the diacritic.
		const found = await get(rso, '/api/v1/people?q=ingrid%20sorensen');
		assert.ok(found.json.items.some((p) => p.id === r.json.id), found.text);
	});

	test('PATCH: 428 without If-Match, 412 when stale, 200 with the new version', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const path = `/api/v1/people/${p.id}`;
		const none = await api(rso, 'PATCH', path, { phone: '+45 33 92 00 00' });
		assertProblem(none, 428, 'if-match-required', /If-Match/);
		const stale = await api(rso, 'PATCH', path, { phone: '+45 33 92 00 00' }, { 'If-Match': '"7"' });
		assertProblem(stale, 412, 'stale-version', /reload it/);
		const ok = await api(rso, 'PATCH', path, { phone: '+45 33 92 00 00' }, { 'If-Match': '"1"' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.version, 2);
		assert.equal(ok.headers.get('etag'), '"2"');
		assert.equal(ok.json.phone, '+45 33 92 00 00');
		assert.equal(ok.json.given_name, p.given_name, 'fields not sent are kept');
		// The version just used is now stale; the bare number form works too.
		const again = await api(rso, 'PATCH', path, { position: null }, { 'If-Match': '"1"' });
		assertProblem(again, 412, 'stale-version');
		const bare = await api(rso, 'PATCH', path, { phone: null }, { 'If-Match': '2' });
		assert.equal(bare.status, 200, bare.text);
		assert.equal(bare.json.phone, null);
		assert.equal(bare.json.version, 3);
		const read = await get(rso, path);
		assert.equal(read.headers.get('etag'), '"3"');
	});

	test('PATCH: a malformed If-Match answers 400 bad-if-match; unknown id 404', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		for (const h of ['"abc"', '""', 'W/"1"', '"0"']) {
			const r = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { phone: null }, { 'If-Match': h });
			assertProblem(r, 400, 'bad-if-match', /If-Match must be the record's ETag/);
		}
		const missing = await api(rso, 'PATCH', '/api/v1/people/01a2148a-0000-7000-8000-000000000000',
			{ phone: null }, { 'If-Match': '"1"' });
		assertProblem(missing, 404, 'not-found');
	});

	test('PATCH validates like create: a bad nationality, a stale-free 422', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const r = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { nationality: 'dk' }, { 'If-Match': '"1"' });
		assertProblem(r, 422, 'validation', /ISO 3166-1 alpha-2/, '/nationality');
		// Nothing changed: version 1 still applies.
		const ok = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { nationality: 'SE' }, { 'If-Match': '"1"' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.nationality, 'SE');
	});

	test('a family member needs household_of; it must point to a staff member', async () => {
		const rso = await login('rso');
		const post_id = await demoPost();
		const base = {
			post_id, given_name: 'Freya', family_name: 'Testdottir', category: 'family_member',
			nationality: 'DK', position: TEST_POSITION,
		};
		assertProblem(await api(rso, 'POST', '/api/v1/people', base), 422, 'validation',
			/family member must be linked .*set household_of/, '/household_of');
		const karin = await person('Karin Holm');
		assertProblem(await api(rso, 'POST', '/api/v1/people',
			{ ...base, household_of: karin.id, relationship: 'child' }), 422, 'validation',
		/Karin Holm is a household member; link to the staff member/, '/household_of');
		assertProblem(await api(rso, 'POST', '/api/v1/people',
			{ ...base, household_of: '01a2148a-0000-7000-8000-000000000000', relationship: 'child' }),
		422, 'validation', /no person has the id/, '/household_of');
		const diplomat = await newPerson({ category: 'diplomatic_agent', given_name: 'Principal',
			arrived_on: '2025-05-05' });
		assertProblem(await api(rso, 'POST', '/api/v1/people', { ...base, household_of: diplomat.id }),
			422, 'validation', /needs a relationship/, '/relationship');
		const ok = await api(rso, 'POST', '/api/v1/people',
			{ ...base, household_of: diplomat.id, relationship: 'child', arrived_on: '2025-05-05' });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.json.household_of, diplomat.id);
		const view = await get(rso, `/api/v1/people/${ok.json.id}`);
		assert.equal(view.json.household[0].id, diplomat.id);
		assert.equal(view.json.household[0].relationship, 'principal');
		assert.equal(view.json.immunity.arrest, 'never', 'family of a diplomatic agent');
		assert.ok(view.json.immunity.articles.includes('VCDR Art. 37(1)'));
		const principalView = await get(rso, `/api/v1/people/${diplomat.id}`);
		assert.deepEqual(principalView.json.household.map((m) => [m.id, m.relationship]), [[ok.json.id, 'child']]);
	});

	test('only family members join a household', async () => {
		const rso = await login('rso');
		const principal = await newPerson();
		const r = await api(rso, 'POST', '/api/v1/people', {
			post_id: await demoPost(), given_name: 'Working', family_name: 'Spouse', category: 'service_staff',
			nationality: 'DK', household_of: principal.id, relationship: 'spouse', position: TEST_POSITION,
		});
		assertProblem(r, 422, 'validation',
			/only a family member is linked to a household; the category service_staff carries a status of its own/,
			'/household_of');
	});

	test('households stay one level deep: a principal with a household cannot join another', async () => {
		const rso = await login('rso');
		const principal = await newPerson();
		const member = await newPerson({ category: 'family_member', household_of: principal.id,
			relationship: 'child' });
		const other = await newPerson();
		// principal has a household member; making principal a family member
		// in other's household would make member a member of a member.
		const r = await api(rso, 'PATCH', `/api/v1/people/${principal.id}`,
			{ category: 'family_member', household_of: other.id, relationship: 'spouse' }, { 'If-Match': '"1"' });
		assertProblem(r, 422, 'validation', undefined, '/household_of');
		const view = await get(rso, `/api/v1/people/${member.id}`);
		assert.equal(view.json.household[0].id, principal.id);
		assert.equal(view.json.household[0].relationship, 'principal');
	});

	test('a household stays in one post: a principal with members cannot move alone', async () => {
		const s = await hqAdmin();
		const post = (await api(s, 'POST', '/api/v1/posts', {
			name: uniq('API test post'), kind: 'consulate', country: 'UG', city: 'Kampala', timezone: 'Africa/Kampala',
		})).json;
		const principal = await newPerson();
		const member = await newPerson({ category: 'family_member', household_of: principal.id, relationship: 'spouse' });
		const r = await api(s, 'PATCH', `/api/v1/people/${principal.id}`, { post_id: post.id },
			{ 'If-Match': '"1"' });
		assertProblem(r, 422, 'validation', undefined, '/post_id');
		assert.equal((await get(s, `/api/v1/people/${member.id}`)).json.post_id, await demoPost());
	});

	test('a household never shows rso people of a post rso cannot see', async () => {
		const s = await hqAdmin();
		const post = (await api(s, 'POST', '/api/v1/posts', {
			name: uniq('API test post'), kind: 'consulate', country: 'UG', city: 'Kampala', timezone: 'Africa/Kampala',
		})).json;
		const principal = await newPerson({ given_name: 'Moved', family_name: uniq('Principal') });
		const member = await newPerson({ category: 'family_member', household_of: principal.id, relationship: 'spouse' });
		// Try to move the principal away (refused, if households stay in one post).
		await api(s, 'PATCH', `/api/v1/people/${principal.id}`, { post_id: post.id }, { 'If-Match': '"1"' });
		const rso = await login('rso');
		const view = await get(rso, `/api/v1/people/${member.id}`);
		assert.equal(view.status, 200, view.text);
		for (const m of view.json.household) {
			const seen = await get(rso, `/api/v1/people/${m.id}`);
			assert.equal(seen.status, 200, `${m.full_name} (${m.relationship}) is in the household rso reads, `
				+ `but GET /api/v1/people/${m.id} answers ${seen.status}: another post's person leaked`);
		}
	});

	test('concurrent PATCHes with the same If-Match: exactly one wins, the rest get 412', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const n = 8;
		const results = await Promise.all(Array.from({ length: n }, (_, i) =>
			api(rso, 'PATCH', `/api/v1/people/${p.id}`, { phone: `+45 33 92 00 0${i}` }, { 'If-Match': '"1"' })));
		const statuses = results.map((r) => r.status).sort();
		assert.deepEqual(statuses, [200, ...Array(n - 1).fill(412)], results.map((r) => r.text).join('\n'));
		const winner = results.find((r) => r.status === 200);
		const now = await get(rso, `/api/v1/people/${p.id}`);
		assert.equal(now.json.version, 2);
		assert.equal(now.json.phone, winner.json.phone);
	});

	test('a person cannot join their own household', async () => {
		const rso = await login('rso');
		const principal = await newPerson();
		const p = await newPerson({ category: 'family_member', household_of: principal.id, relationship: 'child' });
		const r = await api(rso, 'PATCH', `/api/v1/people/${p.id}`,
			{ household_of: p.id }, { 'If-Match': '"1"' });
		assertProblem(r, 422, 'validation', 'a person cannot be a member of their own household.', '/household_of');
	});

	test('training: POST records a course; GET shows it with its status', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const path = `/api/v1/people/${p.id}/training`;
		const r = await api(rso, 'POST', path,
			{ course: 'Security briefing', completed_on: '2026-01-05', expires_on: '2027-01-05' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.person_id, p.id);
		assert.equal(r.json.course, 'Security briefing');
		const old = await api(rso, 'POST', path, { course: 'Counter-threat course', completed_on: '2019-05-01',
			expires_on: '2024-05-01' });
		assert.equal(old.status, 201, old.text);
		const forever = await api(rso, 'POST', path, { course: 'Crisis management', completed_on: '2025-02-17' });
		assert.equal(forever.status, 201, forever.text);
		assert.equal(forever.json.expires_on, null);
		const view = await get(rso, `/api/v1/people/${p.id}`);
		const byCourse = Object.fromEntries(view.json.training.map((t) => [t.course, t]));
		assert.equal(byCourse['Security briefing'].status, trainingStatus('2027-01-05'));
		assert.equal(byCourse['Counter-threat course'].status, 'expired');
		assert.equal(byCourse['Crisis management'].status, 'valid');
		assert.deepEqual(view.json.training.map((t) => t.completed_on),
			['2019-05-01', '2025-02-17', '2026-01-05'], 'ordered by completion');
	});

	test('training: validation, and 404 for an unknown person', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const path = `/api/v1/people/${p.id}/training`;
		assertProblem(await api(rso, 'POST', path, { course: 'X', completed_on: '2026-05-01',
			expires_on: '2026-04-01' }), 422, 'validation', 'expires_on is before completed_on.', '/expires_on');
		assertProblem(await api(rso, 'POST', path, { course: 'X', completed_on: '2026-02-30' }), 422,
			'validation', /completed_on "2026-02-30" is not a date/, '/completed_on');
		assertProblem(await api(rso, 'POST', path, { completed_on: '2026-02-03' }), 422, 'validation',
			'course is required.', '/course');
		assertProblem(await api(rso, 'POST', path, { course: ' padded', completed_on: '2026-02-03' }), 422,
			'validation', /starts or ends with a space/, '/course');
		assertProblem(await api(rso, 'POST', '/api/v1/people/01a2148a-0000-7000-8000-000000000000/training',
			{ course: 'X', completed_on: '2026-02-03' }), 404, 'not-found');
		assertProblem(await api(await login('analyst'), 'POST', path,
			{ course: 'X', completed_on: '2026-02-03' }), 403, 'forbidden');
	});
});

describe('post scope', () => {
	test('hq sees every post\'s people; rso gets 404 for another post\'s person', async () => {
		const { post, person: other } = await secondPost();
		const rso = await login('rso');
		const hq = await login('hq');
		assertProblem(await get(rso, `/api/v1/people/${other.id}`), 404, 'not-found');
		assertProblem(await get(rso, `/api/v1/people/${other.id}/immunity`), 404, 'not-found');
		const seen = await get(hq, `/api/v1/people/${other.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.json.post_id, post.id);
		const hqAll = await allPeople(hq);
		assert.ok(hqAll.items.some((p) => p.id === other.id));
		assert.ok(hqAll.items.some((p) => p.full_name === 'Helena Varga'));
		const rsoAll = await allPeople(rso);
		assert.ok(!rsoAll.items.some((p) => p.id === other.id));
		// Asking for the other post by filter does not widen rso's scope.
		const filtered = await get(rso, `/api/v1/people?post_id=${post.id}`);
		assert.deepEqual(filtered.json.items, []);
		const hqFiltered = await get(hq, `/api/v1/people?post_id=${post.id}`);
		assert.deepEqual(hqFiltered.json.items.map((p) => p.id), [other.id]);
	});

	test('writes to another post\'s person answer 404; creating there answers 403', async () => {
		const { post, person: other } = await secondPost();
		const rso = await login('rso');
		assertProblem(await api(rso, 'PATCH', `/api/v1/people/${other.id}`, { phone: null },
			{ 'If-Match': '"1"' }), 404, 'not-found');
		assertProblem(await api(rso, 'POST', `/api/v1/people/${other.id}/training`,
			{ course: 'X', completed_on: '2026-02-03' }), 404, 'not-found');
		const create = await api(rso, 'POST', '/api/v1/people', {
			post_id: post.id, given_name: 'Not', family_name: 'Allowed', category: 'contractor',
			nationality: 'TZ', position: TEST_POSITION,
		});
		assertProblem(create, 403, 'forbidden', 'you are not assigned to that post.', '/post_id');
		// Nor can rso move one of their own people to that post.
		const mine = await newPerson();
		const move = await api(rso, 'PATCH', `/api/v1/people/${mine.id}`, { post_id: post.id },
			{ 'If-Match': '"1"' });
		assertProblem(move, 403, 'forbidden', 'you are not assigned to that post.', '/post_id');
		// A household across posts is refused even for a user who sees both.
		const hqa = await hqAdmin();
		const cross = await api(hqa, 'POST', '/api/v1/people', {
			post_id: await demoPost(), given_name: 'Cross', family_name: 'Post', category: 'family_member',
			nationality: 'TZ', household_of: other.id, relationship: 'spouse', position: TEST_POSITION,
		});
		assertProblem(cross, 422, 'validation', /belongs to another post/, '/household_of');
	});

	test('a person in a post that does not exist: 422 naming post_id', async () => {
		const r = await api(await hqAdmin(), 'POST', '/api/v1/people', {
			post_id: '01a2148a-0000-7000-8000-000000000000', given_name: 'No', family_name: 'Post',
			category: 'contractor', nationality: 'TZ', position: TEST_POSITION,
		});
		assertProblem(r, 422, 'validation', /no post has the id/, '/post_id');
	});
});

describe('chancery people import', () => {
	// A file that cannot be read failed with exit status 1 and not a word
	// on stderr; it must say which file and why, before touching the store.
	test('a file that cannot be read is named with the reason', () => {
		const dir = mkdtempSync(join(tmpdir(), 'ch-people-'));
		try {
			const r = spawnSync(CH_BIN, ['people', 'import', dir, '--post', 'Embassy in Nairobi', '--dir', dir],
				{ encoding: 'utf8' });
			assert.equal(r.status, 1, r.stderr);
			assert.match(r.stderr, new RegExp(`cannot read ${dir}: Is a directory`));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
