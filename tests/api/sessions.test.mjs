// sessions.test.mjs — your own sessions (list, end one), re-authentication
// before sensitive actions, roles changed by an administrator, and the
// sign-in throttle answering the same for unknown and real names.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, get, login, server, uniq } from './harness.mjs';

before(server);

describe('your sessions', () => {
	test('lists your sessions with the current one flagged; ends another by its id', async () => {
		const a = await login('analyst', { fresh: true });
		const b = await login('analyst', { fresh: true });
		const list = await get(a, '/api/v1/auth/sessions');
		assert.equal(list.status, 200, list.text);
		const current = list.json.items.filter((s) => s.current);
		assert.equal(current.length, 1);
		for (const s of list.json.items) {
			assert.match(s.id, /^[0-9a-f-]{36}$/);
			assert.match(s.created_at, /Z$/);
			assert.match(s.last_seen_at, /Z$/);
			assert.equal(s.source, '127.0.0.1');
			assert.ok(!JSON.stringify(s).includes(a.cookie.split('=')[1]));
		}
		const bId = (await get(b, '/api/v1/auth/sessions')).json.items.find((s) => s.current).id;
		assert.notEqual(bId, current[0].id);
		const del = await api(a, 'DELETE', `/api/v1/auth/sessions/${bId}`);
		assert.equal(del.status, 204, del.text);
		assertProblem(await get(b, '/api/v1/auth/session'), 401, 'unauthenticated');
		assert.equal((await get(a, '/api/v1/auth/session')).status, 200);
	});

	test("another user's session id is not found", async () => {
		const a = await login('analyst', { fresh: true });
		const g = await login('guard', { fresh: true });
		const gId = (await get(g, '/api/v1/auth/sessions')).json.items.find((s) => s.current).id;
		assertProblem(await api(a, 'DELETE', `/api/v1/auth/sessions/${gId}`), 404, 'not-found');
		assert.equal((await get(g, '/api/v1/auth/session')).status, 200);
	});
});

describe('re-authentication', () => {
	test('reauth with the password answers until when it counts; a wrong one is refused', async () => {
		const s = await login('admin', { fresh: true });
		const ok = await api(s, 'POST', '/api/v1/auth/reauth', { password: 'admin-demo-passphrase' });
		assert.equal(ok.status, 200, ok.text);
		const until = Date.parse(ok.json.recent_until);
		assert.ok(until > Date.now() + 200000 && until < Date.now() + 400000, ok.text);
		assertProblem(await api(s, 'POST', '/api/v1/auth/reauth', { password: 'not the admin password' }),
			401, 'bad-credentials');
	});

	test('the document flags the routes that need it', async () => {
		const doc = (await get(await login('rso'), '/api/v1/openapi.json')).json;
		assert.equal(doc.paths['/api/v1/users'].post['x-reauth'], true);
		assert.equal(doc.paths['/api/v1/users/{id}'].patch['x-reauth'], true);
		assert.equal(doc.paths['/api/v1/devices'].post['x-reauth'], true);
		assert.equal(doc.paths['/api/v1/users'].get['x-reauth'], undefined);
	});

	test('an administrator changes roles, clearance and post of a user', async () => {
		const admin = await login('admin', { fresh: true });
		const username = uniq('roles').toLowerCase();
		const made = await api(admin, 'POST', '/api/v1/users', {
			username, password: 'seven pale lanterns drift home', roles: ['staff'],
		});
		assert.equal(made.status, 201, made.text);
		const r = await api(admin, 'PATCH', `/api/v1/users/${made.json.id}`,
			{ roles: ['analyst', 'guard'], clearance: 'CONFIDENTIAL' });
		assert.equal(r.status, 204, r.text);
		const u = (await get(admin, '/api/v1/users')).json.items.find((x) => x.id === made.json.id);
		assert.deepEqual(u.roles, ['analyst', 'guard']);
		assert.equal(u.clearance, 'CONFIDENTIAL');
		assertProblem(await api(admin, 'PATCH', `/api/v1/users/${made.json.id}`, { roles: ['emperor'] }),
			422, 'validation', /roles has an item that is not allowed/, '/roles');
	});
});

describe('password policy', () => {
	test('common and guessable passwords are refused with advice', async () => {
		const admin = await login('admin');
		for (const password of ['password1234', 'Qwertyuiop123!', 'iloveyou2024', 'P@ssw0rd2024!!']) {
			const r = await api(admin, 'POST', '/api/v1/users',
				{ username: uniq('weak').toLowerCase(), password, roles: ['staff'] });
			assertProblem(r, 422, 'validation', /four or more unrelated words/, '/password');
		}
		const u = uniq('named').toLowerCase();
		const r = await api(admin, 'POST', '/api/v1/users',
			{ username: u, password: `${u}${u}!!`, roles: ['staff'] });
		assertProblem(r, 422, 'validation', undefined, '/password');
	});
});

describe('throttling', () => {
	// Fail until a 429 comes; the count of 401s before it and the 429.
	async function failUntilThrottled(username) {
		const statuses = [];
		for (let i = 0; i < 12; i++) {
			const r = await api(null, 'POST', '/api/v1/auth/login', { username, password: 'wrong wrong wrong 1' });
			statuses.push(r.status);
			if (r.status === 429) return { statuses, r };
		}
		return { statuses, r: null };
	}

	test('after a few failures sign-in answers 429 with Retry-After, for real and unknown names alike', async () => {
		const admin = await login('admin');
		const real = uniq('throttled').toLowerCase();
		const made = await api(admin, 'POST', '/api/v1/users',
			{ username: real, password: 'nine quiet rivers hum slowly', roles: ['staff'] });
		assert.equal(made.status, 201, made.text);
		const a = await failUntilThrottled(real);
		const b = await failUntilThrottled(uniq('nobody').toLowerCase());
		for (const x of [a, b]) {
			assert.ok(x.r, `throttled after ${x.statuses}`);
			assert.ok(x.statuses.filter((s) => s === 401).length >= 6, String(x.statuses));
			assertProblem(x.r, 429, 'rate-limited', /wait \d+ seconds/);
			assert.match(x.r.headers.get('retry-after'), /^[1-9]\d*$/);
		}
		assert.deepEqual(a.r.json.title, b.r.json.title);
	});
});
