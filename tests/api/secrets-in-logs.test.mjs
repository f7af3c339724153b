// secrets-in-logs.test.mjs — the secrets of authentication never reach the
// server's log: passwords (right and wrong), session cookies, CSRF tokens,
// TOTP secrets and codes, recovery codes and device tokens are planted
// through the API, then the whole log is searched for each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import { api, demoPost, get, hqAdmin, login, secondPost, server, uniq } from './harness.mjs';
import { totp } from './totp.mjs';

before(server);

const cookieOf = (r) => r.setCookie.find((x) => x.startsWith('__Host-chancery_session=')).split(';')[0];

describe('no secret in the log', () => {
	test('passwords, tokens, TOTP secrets and codes, recovery codes, device tokens', async () => {
		const planted = [];
		const password = `lantern ${uniq('otter')} harbour fog`;
		const wrong = `wrong ${uniq('pelican')} guess`;
		planted.push(password, wrong);
		const username = uniq('secrets').toLowerCase();
		const admin = await hqAdmin();
		const { post } = await secondPost();
		const made = await api(admin, 'POST', '/api/v1/users',
			{ username, password, roles: ['security_officer'], post_id: post.id });
		assert.equal(made.status, 201, made.text);
		await api(null, 'POST', '/api/v1/auth/login', { username, password: wrong });
		let r = await api(null, 'POST', '/api/v1/auth/login', { username, password });
		let s = { cookie: cookieOf(r), csrf: r.json.csrf_token };
		planted.push(s.cookie.split('=')[1], s.csrf);
		const start = await api(s, 'POST', '/api/v1/auth/totp/enrolment');
		planted.push(start.json.secret);
		const code = totp(start.json.secret);
		planted.push(code);
		const done = await api(s, 'POST', '/api/v1/auth/totp/enrolment/confirm', { code });
		assert.equal(done.status, 200, done.text);
		planted.push(...done.json.recovery_codes, cookieOf(done).split('=')[1]);
		r = await api(null, 'POST', '/api/v1/auth/login', { username, password });
		s = { cookie: cookieOf(r), csrf: r.json.csrf_token };
		await api(s, 'POST', '/api/v1/auth/login/second-factor', { code }); // a replay
		const next = totp(start.json.secret, 1);
		planted.push(next);
		r = await api(s, 'POST', '/api/v1/auth/login/second-factor', { code: next });
		assert.equal(r.status, 200, r.text);
		const full = { cookie: cookieOf(r), csrf: r.json.csrf_token };
		await api(full, 'POST', '/api/v1/auth/reauth', { password: wrong });
		const dev = await api(await login('admin'), 'POST', '/api/v1/devices',
			{ name: 'Log probe', post_id: await demoPost() });
		planted.push(dev.json.token);
		await get(null, '/api/v1/device', { Authorization: `Bearer ${dev.json.token}` });
		await get(null, '/api/v1/users', { Authorization: `Bearer ${dev.json.token}` });
		// Let the access log lines of the last requests be written.
		await new Promise((res) => setTimeout(res, 300));
		const log = readFileSync((await server()).log, 'utf8');
		assert.ok(log.length > 1000, 'the log is there');
		const found = planted.filter((p) => p.length >= 6 && log.includes(p));
		// A 6-digit code may occur by chance in a 32-hex request id or
		// a UUID: accept a code only when it is not inside such a token.
		const real = found.filter((p) => !(/^\d{6}$/.test(p)
			&& !new RegExp(`(^|[^0-9a-f-])${p}([^0-9a-f-]|$)`).test(log)));
		assert.deepEqual(real, [], 'secrets found in the server log');
	});
});
