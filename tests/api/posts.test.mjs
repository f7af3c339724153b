// posts.test.mjs — posts and their zones: the post scope, the zone
// hierarchy, and the validation of new posts and zones.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
	api, assertProblem, DEMO_POST, demoPost, get, hqAdmin, login, server, uniq,
} from './harness.mjs';

before(server);

const DEMO_ZONES = {
	'Compound perimeter': null,
	'Consular waiting hall': 'Compound perimeter',
	'Chancery ground floor': 'Compound perimeter',
	'Chancery offices': 'Chancery ground floor',
	'Controlled access area': 'Chancery offices',
	'Communications centre': 'Controlled access area',
	'Motor pool': 'Compound perimeter',
	'Chief of mission residence': null,
};

const validPost = () => ({
	name: uniq('API test mission'), kind: 'mission', country: 'CH', city: 'Geneva',
	timezone: 'Europe/Zurich', latitude: 46.2044, longitude: 6.1432,
});

describe('posts', () => {
	test('a post\'s users see exactly their own post', async () => {
		const id = await demoPost();
		for (const u of ['rso', 'analyst', 'guard', 'staff', 'eac', 'admin']) {
			const r = await get(await login(u), '/api/v1/posts');
			assert.equal(r.status, 200, `${u}: ${r.text}`);
			assert.equal(r.json.items.length, 1, `${u}: ${r.text}`);
			assert.equal(r.json.items[0].id, id);
			assert.equal(r.json.next_cursor, null);
		}
	});

	test('the demo post as the API shows it', async () => {
		const r = await get(await login('rso'), `/api/v1/posts/${await demoPost()}`);
		assert.equal(r.status, 200, r.text);
		const p = r.json;
		assert.equal(p.name, DEMO_POST);
		assert.equal(p.kind, 'embassy');
		assert.equal(p.country, 'KE');
		assert.equal(p.city, 'Nairobi');
		assert.equal(p.timezone, 'Africa/Nairobi');
		assert.ok(Math.abs(p.latitude - -1.2633) < 1e-6, String(p.latitude));
		assert.ok(Math.abs(p.longitude - 36.805) < 1e-6, String(p.longitude));
		assert.equal(p.version, 1);
		assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	});

	test('the demo post has 8 zones in a hierarchy without cycles', async () => {
		const r = await get(await login('guard'), `/api/v1/posts/${await demoPost()}/zones`);
		assert.equal(r.status, 200, r.text);
		const zones = r.json.items;
		assert.equal(zones.length, 8);
		assert.equal(r.json.next_cursor, null);
		const byId = new Map(zones.map((z) => [z.id, z]));
		const parentName = Object.fromEntries(zones.map((z) =>
			[z.name, z.parent_id === null ? null : byId.get(z.parent_id)?.name]));
		assert.deepEqual(parentName, DEMO_ZONES);
		for (const z of zones) {
			assert.equal(z.post_id, await demoPost());
			let depth = 0;
			for (let at = z; at.parent_id !== null; at = byId.get(at.parent_id)) {
				assert.ok(++depth < 8, `cycle at ${z.name}`);
			}
		}
		const comms = zones.find((z) => z.name === 'Communications centre');
		assert.equal(comms.level, 'restricted');
		assert.equal(comms.required_clearance, 'SECRET');
		assert.equal(comms.escort_required, true);
		// A child is never less protected than its parent.
		const levels = ['public', 'controlled', 'restricted'];
		const clear = ['UNCLASSIFIED', 'SBU', 'CONFIDENTIAL', 'SECRET'];
		for (const z of zones.filter((x) => x.parent_id)) {
			const p = byId.get(z.parent_id);
			assert.ok(levels.indexOf(z.level) >= levels.indexOf(p.level), z.name);
			assert.ok(clear.indexOf(z.required_clearance) >= clear.indexOf(p.required_clearance), z.name);
		}
	});

	test('unknown posts answer 404, and so do other posts\' zones', async () => {
		const rso = await login('rso');
		for (const id of ['01a2148a-0000-7000-8000-000000000000', 'nairobi']) {
			assertProblem(await get(rso, `/api/v1/posts/${id}`), 404, 'not-found');
			assertProblem(await get(rso, `/api/v1/posts/${id}/zones`), 404, 'not-found');
		}
	});
});

describe('creating posts', () => {
	test('rso creates a post: 201 with Location; hq sees it, rso does not', async () => {
		const rso = await login('rso');
		const body = validPost();
		const r = await api(rso, 'POST', '/api/v1/posts', body);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.get('location'), `/api/v1/posts/${r.json.id}`);
		for (const [k, v] of Object.entries(body)) assert.equal(r.json[k], v, k);
		assert.equal(r.json.version, 1);
		// rso is assigned to the demo post only.
		assertProblem(await get(rso, r.headers.get('location')), 404, 'not-found');
		const mine = await get(rso, '/api/v1/posts');
		assert.deepEqual(mine.json.items.map((p) => p.id), [await demoPost()]);
		const hq = await login('hq');
		const seen = await get(hq, r.headers.get('location'));
		assert.equal(seen.status, 200);
		assert.equal(seen.json.name, body.name);
		const all = await get(hq, '/api/v1/posts');
		const names = all.json.items.map((p) => p.name);
		assert.ok(names.includes(DEMO_POST) && names.includes(body.name), names.join(', '));
		// A new post has no zones yet.
		const zones = await get(hq, `/api/v1/posts/${r.json.id}/zones`);
		assert.deepEqual(zones.json, { items: [], next_cursor: null });
	});

	test('post names are unique: 409 conflict', async () => {
		const r = await api(await login('rso'), 'POST', '/api/v1/posts', { ...validPost(), name: DEMO_POST });
		assertProblem(r, 409, 'conflict', `a post named "${DEMO_POST}" already exists.`, '/name');
	});

	test('location is optional; only rso and admin may create posts', async () => {
		const { latitude, longitude, ...body } = validPost();
		const r = await api(await login('admin'), 'POST', '/api/v1/posts', body);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.latitude, null);
		assert.equal(r.json.longitude, null);
		for (const u of ['analyst', 'guard', 'staff', 'eac', 'hq']) {
			const x = await api(await login(u), 'POST', '/api/v1/posts', validPost());
			assertProblem(x, 403, 'forbidden');
		}
	});

	test('post validation: country, kind, timezone, coordinates, required fields', async () => {
		const rso = await login('rso');
		const cases = [
			[{ country: 'ke' }, '/country', /ISO 3166-1 alpha-2/],
			[{ country: 'K1' }, '/country', /ISO 3166-1 alpha-2/],
			[{ country: 'KEN' }, '/country', 'country is 3 characters long; at most 2 are allowed.'],
			[{ kind: 'palace' }, '/kind', 'kind "palace" is not allowed; use one of: embassy, consulate, mission.'],
			[{ timezone: 'East Africa Time' }, '/timezone', /IANA time zone/],
			[{ timezone: '' }, '/timezone', /IANA time zone/],
			[{ name: '' }, '/name', /name is required/],
			[{ city: '' }, '/city', 'city is required.'],
			[{ latitude: 91 }, '/latitude', /latitude must be within ±90/],
			[{ longitude: -180.5 }, '/latitude', /longitude within ±180/],
			[{ latitude: 'north' }, '/latitude', 'latitude must be a number.'],
			[{ kind: undefined }, '/kind', 'kind is required.'],
			[{ timezone: null }, '/timezone', 'timezone may not be null.'],
			[{ zone_count: 3 }, '/zone_count', /zone_count is not a field of PostCreate; remove it/],
		];
		for (const [change, field, detail] of cases) {
			const body = { ...validPost(), ...change };
			for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
			const r = await api(rso, 'POST', '/api/v1/posts', body);
			assertProblem(r, 422, 'validation', detail, field);
		}
	});
});

describe('zones', () => {
	test('zones of a new post: a hierarchy, and a child as protected as its parent', async () => {
		const s = await hqAdmin();
		const post = (await api(s, 'POST', '/api/v1/posts', validPost())).json;
		const path = `/api/v1/posts/${post.id}/zones`;
		const outer = await api(s, 'POST', path, { name: 'Perimeter', level: 'public' });
		assert.equal(outer.status, 201, outer.text);
		assert.equal(outer.json.parent_id, null);
		assert.equal(outer.json.required_clearance, 'UNCLASSIFIED');
		assert.equal(outer.json.escort_required, false);
		const vault = await api(s, 'POST', path, {
			name: 'Vault', level: 'restricted', parent_id: outer.json.id,
			required_clearance: 'SECRET', escort_required: true,
		});
		assert.equal(vault.status, 201, vault.text);
		assert.equal(vault.json.parent_id, outer.json.id);
		assert.equal(vault.json.escort_required, true);
		const lower = await api(s, 'POST', path, { name: 'Lobby', level: 'public', parent_id: vault.json.id });
		assertProblem(lower, 422, 'validation', /cannot be less protected than it \(level restricted, clearance SECRET\)/,
			'/level');
		const lowClear = await api(s, 'POST', path,
			{ name: 'Annex', level: 'restricted', parent_id: vault.json.id, required_clearance: 'SBU' });
		assertProblem(lowClear, 422, 'validation', /cannot be less protected/, '/level');
		const dup = await api(s, 'POST', path, { name: 'Vault', level: 'restricted' });
		assertProblem(dup, 409, 'conflict', 'this post already has a zone named "Vault".', '/name');
		const list = await get(s, path);
		assert.deepEqual(list.json.items.map((z) => z.name).sort(), ['Perimeter', 'Vault']);
	});

	test('a zone\'s parent must be a zone of the same post', async () => {
		const s = await hqAdmin();
		const post = (await api(s, 'POST', '/api/v1/posts', validPost())).json;
		const demoZones = await get(s, `/api/v1/posts/${await demoPost()}/zones`);
		const r = await api(s, 'POST', `/api/v1/posts/${post.id}/zones`,
			{ name: 'Borrowed', level: 'restricted', parent_id: demoZones.json.items[0].id });
		assertProblem(r, 422, 'validation', 'the parent zone is not a zone of this post.', '/parent_id');
		const none = await api(s, 'POST', `/api/v1/posts/${post.id}/zones`,
			{ name: 'Orphan', level: 'public', parent_id: '01a2148a-0000-7000-8000-000000000000' });
		assertProblem(none, 422, 'validation', 'the parent zone is not a zone of this post.', '/parent_id');
	});

	test('zone validation and scope', async () => {
		const rso = await login('rso');
		const id = await demoPost();
		const path = `/api/v1/posts/${id}/zones`;
		assertProblem(await api(rso, 'POST', path, { name: 'X', level: 'secret' }), 422, 'validation',
			'level "secret" is not allowed; use one of: public, controlled, restricted.', '/level');
		assertProblem(await api(rso, 'POST', path, { name: 'X', level: 'public', required_clearance: 'TOP SECRET' }),
			422, 'validation', /required_clearance "TOP SECRET" is not allowed/, '/required_clearance');
		assertProblem(await api(rso, 'POST', path, { name: 'X', level: 'public', parent_id: 'outer' }),
			422, 'validation', 'parent_id must be a record id (a lower-case UUID).', '/parent_id');
		assertProblem(await api(rso, 'POST', path, { level: 'public' }), 422, 'validation',
			'name is required.', '/name');
		// Another post's zones: 404 for rso, who cannot see it.
		const other = (await api(await hqAdmin(), 'POST', '/api/v1/posts', validPost())).json;
		assertProblem(await api(rso, 'POST', `/api/v1/posts/${other.id}/zones`, { name: 'X', level: 'public' }),
			404, 'not-found');
		assertProblem(await api(await login('analyst'), 'POST', path, { name: 'X', level: 'public' }),
			403, 'forbidden');
		// None of this touched the demo post's zones.
		assert.equal((await get(rso, path)).json.items.length, 8);
	});
});
