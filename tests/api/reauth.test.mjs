// reauth.test.mjs — re-authentication before sensitive actions, and the
// idle limit, against a server of its own whose windows are short
// (`--reauth-window 2 --idle-timeout 3`), so that the test can outwait them.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ownDemo, PROBLEM_BASE } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let demo;
let base;

before(async () => {
	demo = await ownDemo(['--reauth-window', '2', '--idle-timeout', '3']);
	base = demo.base;
});

after(async () => {
	if (demo) await demo.stop();
});

async function call(s, method, path, body) {
	const h = {};
	if (s) {
		h.Cookie = s.cookie;
		h['X-CSRF-Token'] = s.csrf;
	}
	if (body !== undefined) h['Content-Type'] = 'application/json';
	const r = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await r.text();
	return { status: r.status, json: text ? JSON.parse(text) : null, r };
}

async function signIn(username) {
	const r = await call(null, 'POST', '/api/v1/auth/login', { username, password: `${username}-demo-passphrase` });
	assert.equal(r.status, 200);
	const c = r.r.headers.getSetCookie().find((x) => x.startsWith('__Host-chancery_session='));
	return { cookie: c.split(';')[0], csrf: r.json.csrf_token };
}

describe('re-authentication window and idle limit', () => {
	test('a sensitive action after the window answers reauth-required until the password is given again', async () => {
		const admin = await signIn('admin');
		const users = await call(admin, 'GET', '/api/v1/users');
		const guard = users.json.items.find((u) => u.username === 'guard');
		assert.equal((await call(admin, 'PATCH', `/api/v1/users/${guard.id}`, { clearance: 'SBU' })).status, 204);
		await sleep(2500);
		const late = await call(admin, 'PATCH', `/api/v1/users/${guard.id}`, { clearance: 'SBU' });
		assert.equal(late.status, 401);
		assert.equal(late.json.type, `${PROBLEM_BASE}reauth-required`);
		const made = await call(admin, 'POST', '/api/v1/users',
			{ username: 'late-user', password: 'seven pale lanterns drift home', roles: ['staff'] });
		assert.equal(made.json.type, `${PROBLEM_BASE}reauth-required`);
		assert.equal((await call(admin, 'GET', '/api/v1/users')).status, 200, 'reads need no reauth');
		const re = await call(admin, 'POST', '/api/v1/auth/reauth', { password: 'admin-demo-passphrase' });
		assert.equal(re.status, 200);
		assert.equal((await call(admin, 'PATCH', `/api/v1/users/${guard.id}`, { clearance: 'SBU' })).status, 204);
	});

	test('setting up a second factor on a session that is not fresh asks for the password first', async () => {
		const s = await signIn('eac');
		await sleep(2500);
		const late = await call(s, 'POST', '/api/v1/auth/totp/enrolment');
		assert.equal(late.status, 401);
		assert.equal(late.json.type, `${PROBLEM_BASE}reauth-required`);
		const re = await call(s, 'POST', '/api/v1/auth/reauth', { password: 'eac-demo-passphrase' });
		assert.equal(re.status, 200);
		assert.equal((await call(s, 'POST', '/api/v1/auth/totp/enrolment')).status, 201);
	});

	test('a session unused past the idle limit has ended', async () => {
		const s = await signIn('analyst');
		assert.equal((await call(s, 'GET', '/api/v1/auth/session')).status, 200);
		await sleep(4500);
		const r = await call(s, 'GET', '/api/v1/auth/session');
		assert.equal(r.status, 401);
	});
});
