// users.test.mjs — user accounts: who may list and create them, password and
// username rules, disabling (which ends sessions), password resets.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
	api, assertProblem, demoPost, get, hqAdmin, login, person, secondPost, server, uniq,
} from './harness.mjs';

before(server);

const PASSWORD = 'a long enough passphrase';

async function newUser(extra = {}) {
	const username = uniq('apitest-user');
	const r = await api(await login('admin'), 'POST', '/api/v1/users', {
		username, password: PASSWORD, roles: ['analyst'], post_id: await demoPost(), ...extra,
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}

const signIn = (username, password = PASSWORD) =>
	api(null, 'POST', '/api/v1/auth/login', { username, password });

describe('listing users', () => {
	test('admin sees the demo users with their roles, and no password hashes', async () => {
		const r = await get(await login('admin'), '/api/v1/users');
		assert.equal(r.status, 200, r.text);
		const byName = Object.fromEntries(r.json.items.map((u) => [u.username, u]));
		const expected = {
			rso: 'security_officer', analyst: 'analyst', guard: 'guard', staff: 'staff',
			eac: 'eac_member', admin: 'administrator',
		};
		for (const [username, role] of Object.entries(expected)) {
			assert.ok(byName[username], username);
			assert.deepEqual(byName[username].roles, [role], username);
			assert.equal(byName[username].disabled, false, username);
		}
		assert.equal(byName.rso.post_id, await demoPost());
		assert.equal(byName.rso.person_id, (await person('Sofie Lund')).id);
		assert.doesNotMatch(r.text, /password|argon2/i);
	});

	test('a post\'s administrator and security officer list the users of their post; HQ lists all', async () => {
		const { post: other } = await secondPost();
		const far = await api(await hqAdmin(), 'POST', '/api/v1/users',
			{ username: uniq('apitest-far'), password: PASSWORD, roles: ['staff'], post_id: other.id });
		assert.equal(far.status, 201, far.text);
		for (const u of ['admin', 'rso']) {
			const r = await get(await login(u), '/api/v1/users');
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.items.length > 0);
			for (const x of r.json.items) assert.equal(x.post_id, await demoPost(), `${u} sees ${x.username}`);
		}
		const all = (await get(await hqAdmin(), '/api/v1/users')).json.items;
		assert.ok(all.some((x) => x.id === far.json.id));
		assert.equal(all.find((x) => x.username === 'hq').post_id, null);
		assert.ok(all.some((x) => x.username === 'rso'));
	});

	test('rso may read users but not create them; other roles may do neither', async () => {
		assert.equal((await get(await login('rso'), '/api/v1/users')).status, 200);
		assertProblem(await api(await login('rso'), 'POST', '/api/v1/users',
			{ username: 'x-never', password: PASSWORD, roles: ['staff'] }), 403, 'forbidden');
		for (const u of ['analyst', 'guard', 'staff', 'eac', 'hq']) {
			assertProblem(await get(await login(u), '/api/v1/users'), 403, 'forbidden');
			assertProblem(await api(await login(u), 'PATCH', '/api/v1/users/01a2148a-0000-7000-8000-000000000000',
				{ disabled: true }), 403, 'forbidden');
		}
	});
});

describe('creating users', () => {
	test('admin creates a user, who can then sign in with that role', async () => {
		const u = await newUser({ display_name: 'Test Analyst', clearance: 'SBU' });
		assert.match(u.id, /^[0-9a-f-]{36}$/);
		assert.deepEqual(u.roles, ['analyst']);
		assert.equal(u.clearance, 'SBU');
		assert.equal(u.display_name, 'Test Analyst');
		assert.equal(u.disabled, false);
		assert.ok(!('password' in u) && !('password_hash' in u));
		const r = await signIn(u.username);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.user.roles, ['analyst']);
		assert.equal(r.json.user.post_id, await demoPost());
		// The new analyst reads people of the post.
		const s = await login(u.username, { password: PASSWORD });
		const people = await get(s, '/api/v1/people?limit=3');
		assert.equal(people.status, 200);
		assert.equal(people.json.items.length, 3);
	});

	test('the display name defaults to the username; several roles are kept', async () => {
		const u = await newUser({ roles: ['guard', 'staff'] });
		assert.equal(u.display_name, u.username);
		assert.deepEqual(u.roles, ['guard', 'staff']);
		assert.equal(u.clearance, 'UNCLASSIFIED');
	});

	test('a user of no post sees no posts and no people', async () => {
		const made = await api(await hqAdmin(), 'POST', '/api/v1/users',
			{ username: uniq('apitest-user'), password: PASSWORD, roles: ['analyst'], post_id: null });
		assert.equal(made.status, 201, made.text);
		const u = made.json;
		assert.equal(u.post_id, null);
		const s = await login(u.username, { password: PASSWORD });
		assert.deepEqual((await get(s, '/api/v1/people')).json, { items: [], next_cursor: null });
		assert.deepEqual((await get(s, '/api/v1/posts')).json, { items: [], next_cursor: null });
		assertProblem(await get(s, `/api/v1/posts/${await demoPost()}`), 404, 'not-found');
		const helena = await person('Helena Varga');
		assertProblem(await get(s, `/api/v1/people/${helena.id}`), 404, 'not-found');
	});

	test('a short password answers 422 saying how long it must be', async () => {
		const admin = await login('admin');
		const r = await api(admin, 'POST', '/api/v1/users',
			{ username: uniq('apitest-short'), password: 'short', roles: ['staff'] });
		assertProblem(r, 422, 'validation', /^The password has 5 characters; use at least 12\./, '/password');
		const eleven = await api(admin, 'POST', '/api/v1/users',
			{ username: uniq('apitest-short'), password: 'élevenchars', roles: ['staff'] });
		assertProblem(eleven, 422, 'validation', /has 11 characters; use at least 12/, '/password');
		const long = await api(admin, 'POST', '/api/v1/users',
			{ username: uniq('apitest-long'), password: 'x'.repeat(129), roles: ['staff'] });
		assertProblem(long, 422, 'validation', 'The password has 129 characters; at most 128 are accepted.', '/password');
		const name = uniq('apitest-same');
		const same = await api(admin, 'POST', '/api/v1/users', { username: name, password: `${name}!`, roles: ['staff'] });
		assertProblem(same, 422, 'validation', /^The password is built on your username or the post's name/, '/password');
	});

	test('usernames, roles, clearance and post are checked', async () => {
		const admin = await login('admin');
		const body = (extra) => ({ username: uniq('apitest-v'), password: PASSWORD, roles: ['staff'], ...extra });
		const cases = [
			[{ username: 'Upper' }, '/username', /2 to 64 characters of a-z, 0-9, dot, dash and underscore/],
			[{ username: '-dash' }, '/username', /starting with a letter or digit/],
			[{ username: 'a' }, '/username', /2 to 64 characters/],
			[{ roles: [] }, '/roles', /roles must list one or more of security_officer/],
			[{ roles: ['king'] }, '/roles', /^roles has an item that is not allowed; use security_officer, analyst/],
			[{ roles: 'staff' }, '/roles', 'roles must be a list of strings.'],
			[{ clearance: 'COSMIC' }, '/clearance', /clearance "COSMIC" is not allowed/],
			[{ post_id: '01a2148a-0000-7000-8000-000000000000' }, '/post_id', 'No such post.'],
			[{ is_admin: true }, '/is_admin', /is_admin is not a field of UserCreate/],
			[{ password: undefined }, '/password', 'password is required.'],
		];
		for (const [extra, field, detail] of cases) {
			const b = body(extra);
			for (const [k, v] of Object.entries(extra)) if (v === undefined) delete b[k];
			assertProblem(await api(admin, 'POST', '/api/v1/users', b), 422, 'validation', detail, field);
		}
	});

	test('a username is taken only once: 409 conflict', async () => {
		const r = await api(await login('admin'), 'POST', '/api/v1/users',
			{ username: 'rso', password: PASSWORD, roles: ['staff'] });
		assertProblem(r, 409, 'conflict', 'The username rso is taken.', '/username');
	});

	test('a user linked to a person who does not exist: 422 naming person_id', async () => {
		// users.person_id references people(id); the store's refusal must not
		// come back as "the username is taken".
		const username = uniq('apitest-ghost');
		const r = await api(await login('admin'), 'POST', '/api/v1/users', {
			username, password: PASSWORD, roles: ['staff'], person_id: '01a2148a-0000-7000-8000-000000000000',
		});
		assertProblem(r, 422, 'validation', undefined, '/person_id');
	});

	test('a user linked to a person of the post', async () => {
		const sofie = await person('Sofie Lund');
		const u = await newUser({ person_id: sofie.id });
		assert.equal(u.person_id, sofie.id);
	});
});

describe('disabling and passwords', () => {
	test('disabling a user ends their sessions and refuses their sign-in; enabling restores it', async () => {
		const admin = await login('admin');
		const u = await newUser();
		const s1 = await login(u.username, { password: PASSWORD });
		const s2 = await login(u.username, { password: PASSWORD });
		assert.equal((await get(s1, '/api/v1/auth/session')).status, 200);
		const off = await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { disabled: true });
		assert.equal(off.status, 204, off.text);
		assert.equal(off.text, '');
		assertProblem(await get(s1, '/api/v1/auth/session'), 401, 'unauthenticated');
		assertProblem(await get(s2, '/api/v1/people'), 401, 'unauthenticated');
		// Refused like a wrong password: the same problem.
		const refused = assertProblem(await signIn(u.username), 401, 'bad-credentials');
		const wrong = assertProblem(await signIn('rso', 'wrong-password-123'), 401, 'bad-credentials');
		assert.equal(refused.detail, wrong.detail);
		const listed = (await get(admin, '/api/v1/users')).json.items.find((x) => x.id === u.id);
		assert.equal(listed.disabled, true);
		const on = await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { disabled: false });
		assert.equal(on.status, 204, on.text);
		assert.equal((await signIn(u.username)).status, 200);
		// The sessions ended by disabling stay ended.
		assertProblem(await get(s1, '/api/v1/auth/session'), 401, 'unauthenticated');
	});

	test('a password reset ends the user\'s sessions; only the new password works', async () => {
		const admin = await login('admin');
		const u = await newUser();
		const s = await login(u.username, { password: PASSWORD });
		const next = 'another long passphrase';
		const r = await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { password: next });
		assert.equal(r.status, 204, r.text);
		assertProblem(await get(s, '/api/v1/auth/session'), 401, 'unauthenticated');
		assertProblem(await signIn(u.username), 401, 'bad-credentials');
		assert.equal((await signIn(u.username, next)).status, 200);
	});

	test('PATCH /users/{id}: validation, an unknown user, and other sessions untouched', async () => {
		const admin = await login('admin');
		const u = await newUser();
		const s = await login(u.username, { password: PASSWORD });
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { password: 'tiny' }), 422, 'validation',
			/has 4 characters; use at least 12/, '/password');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { disabled: 'yes' }), 422, 'validation',
			'disabled must be true or false.', '/disabled');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { username: 'renamed' }), 422,
			'validation', /username is not a field of UserUpdate/, '/username');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { roles: ['emperor'] }), 422,
			'validation', undefined, '/roles');
		assertProblem(await api(admin, 'PATCH', '/api/v1/users/01a2148a-0000-7000-8000-000000000000',
			{ disabled: true }), 404, 'not-found');
		// Refused as a whole: the password of a PATCH whose post or role is refused is not set.
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`,
			{ password: 'another long passphrase', post_id: '01a2148a-0000-7000-8000-000000000000' }),
		422, 'validation', 'No such post.', '/post_id');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`,
			{ password: 'another long passphrase', roles: ['hq'] }), 403, 'forbidden');
		// None of the refused changes touched the user.
		assert.equal((await get(s, '/api/v1/auth/session')).status, 200);
		assert.equal((await signIn(u.username)).status, 200);
		// Disabling one user leaves everyone else signed in.
		await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { disabled: true });
		assert.equal((await get(admin, '/api/v1/auth/session')).status, 200);
		assert.equal((await get(await login('rso'), '/api/v1/auth/session')).status, 200);
	});
});

describe('an administrator of a post', () => {
	test('manages the users of that post only, and grants no more than they hold', async () => {
		const admin = await login('admin');
		const { post: other } = await secondPost();
		// Not at another post, not with the hq role that reaches every post.
		assertProblem(await api(admin, 'POST', '/api/v1/users', {
			username: uniq('apitest-far'), password: PASSWORD, roles: ['staff'], post_id: other.id,
		}), 422, 'validation', 'No such post.', '/post_id');
		assertProblem(await api(admin, 'POST', '/api/v1/users', {
			username: uniq('apitest-hq'), password: PASSWORD, roles: ['hq'], post_id: await demoPost(),
		}), 403, 'forbidden', /hq/);
		// Without post_id, the user belongs to the administrator's post.
		const near = (await api(admin, 'POST', '/api/v1/users',
			{ username: uniq('apitest-near'), password: PASSWORD, roles: ['staff'] })).json;
		assert.equal(near.post_id, await demoPost());

		// A user of another post, and the HQ desk (no post), are out of reach.
		const far = await api(await hqAdmin(), 'POST', '/api/v1/users', {
			username: uniq('apitest-far'), password: PASSWORD, roles: ['security_officer'], post_id: other.id,
		});
		assert.equal(far.status, 201, far.text);
		const hq = (await get(await hqAdmin(), '/api/v1/users')).json.items.find((x) => x.username === 'hq');
		for (const target of [far.json.id, hq.id])
			for (const change of [{ password: 'a takeover passphrase here' }, { disabled: true },
				{ roles: ['administrator'] }])
				assertProblem(await api(admin, 'PATCH', `/api/v1/users/${target}`, change), 404, 'not-found');
		assert.equal((await signIn(far.json.username)).status, 200);
		assert.equal((await signIn('hq', 'hq-demo-passphrase')).status, 200);

		// A user of the post may not be moved away, nor given hq.
		const u = await newUser();
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { post_id: other.id }), 422, 'validation',
			'No such post.', '/post_id');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { post_id: null }), 403, 'forbidden');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { roles: ['hq'] }), 403, 'forbidden');
		const kept = (await get(await hqAdmin(), '/api/v1/users')).json.items.find((x) => x.id === u.id);
		assert.deepEqual(kept.roles, ['analyst']);
		assert.equal(kept.post_id, await demoPost());
	});

	test('gives no clearance above their own', async () => {
		const admin = await login('admin');
		const lesser = await newUser({ roles: ['administrator'], clearance: 'CONFIDENTIAL' });
		const s = await login(lesser.username, { password: PASSWORD });
		assertProblem(await api(s, 'POST', '/api/v1/users', {
			username: uniq('apitest-secret'), password: PASSWORD, roles: ['staff'], clearance: 'SECRET',
		}), 403, 'forbidden', /above your clearance/);
		const u = await newUser();
		assertProblem(await api(s, 'PATCH', `/api/v1/users/${u.id}`, { clearance: 'SECRET' }), 403, 'forbidden');
		assertProblem(await api(s, 'PATCH', `/api/v1/users/${lesser.id}`, { clearance: 'SECRET' }), 403, 'forbidden');
		assert.equal((await api(admin, 'PATCH', `/api/v1/users/${u.id}`, { clearance: 'SECRET' })).status, 204);
	});
});
