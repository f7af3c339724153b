// devices.test.mjs — device tokens: made by an administrator (shown once),
// bound to a post and permissions, accepted only on device routes, no CSRF,
// last use recorded, revocable.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, login, server } from './harness.mjs';

before(server);

const bearer = (token) => ({ Authorization: `Bearer ${token}` });

describe('device tokens', () => {
	let device;
	before(async () => {
		const r = await api(await login('admin'), 'POST', '/api/v1/devices',
			{ name: 'Main gate reader', post_id: await demoPost(), permissions: ['posts.read'] });
		assert.equal(r.status, 201, r.text);
		device = r.json;
	});

	test('the token is shown once, as chd_ and 43 base64url characters', async () => {
		assert.match(device.token, /^chd_[A-Za-z0-9_-]{43}$/);
		assert.deepEqual(device.permissions, ['device', 'posts.read']);
		const list = await get(await login('admin'), '/api/v1/devices');
		assert.equal(list.status, 200, list.text);
		assert.ok(!list.text.includes(device.token));
		assert.ok(list.json.items.some((d) => d.id === device.id && d.token === undefined));
	});

	test('only administrators manage devices', async () => {
		assertProblem(await get(await login('rso'), '/api/v1/devices'), 403, 'forbidden');
	});

	test('a device reaches device routes and the read it was given, nothing else', async () => {
		const me = await get(null, '/api/v1/device', bearer(device.token));
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.name, 'Main gate reader');
		assert.equal(me.json.post_id, await demoPost());
		const post = await get(null, `/api/v1/posts/${await demoPost()}`, bearer(device.token));
		assert.equal(post.status, 200, post.text);
		assertProblem(await get(null, '/api/v1/people', bearer(device.token)), 403, 'forbidden');
		assertProblem(await get(null, '/api/v1/users', bearer(device.token)), 403, 'not-for-devices');
		assertProblem(await get(null, '/api/v1/auth/sessions', bearer(device.token)), 403, 'not-for-devices');
		assertProblem(await api(null, 'POST', '/api/v1/people', {}, bearer(device.token)), 403, 'not-for-devices');
		const list = await get(await login('admin'), '/api/v1/devices');
		const d = list.json.items.find((x) => x.id === device.id);
		assert.match(d.last_used_at, /^\d{4}-\d\d-\d\dT/);
		assert.equal(d.last_used_from, '127.0.0.1');
	});

	test('users cannot call device routes; forged tokens are no session', async () => {
		assertProblem(await get(await login('admin'), '/api/v1/device'), 403, 'forbidden');
		for (const h of ['Bearer chd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer x', 'Basic abc', 'Bearer'])
			assertProblem(await get(null, '/api/v1/device', { Authorization: h }), 401, 'unauthenticated');
	});

	test('a revoked token stops working at once', async () => {
		const r = await api(await login('admin'), 'POST', '/api/v1/devices',
			{ name: 'Alarm panel', post_id: await demoPost() });
		assert.equal(r.status, 201, r.text);
		assert.equal((await get(null, '/api/v1/device', bearer(r.json.token))).status, 200);
		const del = await api(await login('admin'), 'DELETE', `/api/v1/devices/${r.json.id}`);
		assert.equal(del.status, 204, del.text);
		assertProblem(await get(null, '/api/v1/device', bearer(r.json.token)), 401, 'unauthenticated');
		assertProblem(await api(await login('admin'), 'DELETE', `/api/v1/devices/${r.json.id}`), 409, 'conflict');
	});

	test('bad input names the field', async () => {
		const admin = await login('admin');
		assertProblem(await api(admin, 'POST', '/api/v1/devices',
			{ name: 'x', post_id: await demoPost(), permissions: ['users.write'] }), 422, 'validation', /use posts.read, people.read/, '/permissions');
	});
});
