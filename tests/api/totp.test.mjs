// totp.test.mjs — the second factor: enrolment when the post requires it,
// sign-in with a code, a code used twice refused, recovery codes used once,
// re-authentication with a code.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, get, hqAdmin, secondPost, server, uniq } from './harness.mjs';
import { base32Decode, hotp, totp } from './totp.mjs';

before(server);

const PASSWORD = 'a quiet heron folds maps at dawn';

function cookieOf(r) {
	const c = r.setCookie.find((x) => x.startsWith('__Host-chancery_session='));
	return c ? c.split(';')[0] : null;
}

// A security officer in a post created by the tests (rule: privileged).
async function officer() {
	const admin = await hqAdmin();
	const { post } = await secondPost();
	const username = uniq('totp').toLowerCase();
	const r = await api(admin, 'POST', '/api/v1/users', {
		username, password: PASSWORD, roles: ['security_officer'], post_id: post.id,
		clearance: 'SECRET',
	});
	assert.equal(r.status, 201, r.text);
	return username;
}

async function passwordStep(username) {
	const r = await api(null, 'POST', '/api/v1/auth/login', { username, password: PASSWORD });
	assert.equal(r.status, 200, r.text);
	return { r, session: { cookie: cookieOf(r), csrf: r.json.csrf_token } };
}

async function enrol(username) {
	const { session } = await passwordStep(username);
	const start = await api(session, 'POST', '/api/v1/auth/totp/enrolment');
	assert.equal(start.status, 201, start.text);
	const code = totp(start.json.secret);
	const done = await api(session, 'POST', '/api/v1/auth/totp/enrolment/confirm', { code });
	assert.equal(done.status, 200, done.text);
	return { secret: start.json.secret, recovery: done.json.recovery_codes, code };
}

describe('the TOTP algorithm of the tests', () => {
	test('matches RFC 4226 appendix D', () => {
		const key = Buffer.from('12345678901234567890');
		assert.deepEqual([0, 1, 9].map((c) => hotp(key, c)), ['755224', '287082', '520489']);
		assert.equal(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString(), '12345678901234567890');
	});
});

describe('enrolment', () => {
	test('a security officer must enrol: the pending session reaches only the enrolment', async () => {
		const username = await officer();
		const { r, session } = await passwordStep(username);
		assert.equal(r.json.status, 'enrolment_required');
		assert.equal(r.json.user, undefined);
		assertProblem(await get(session, '/api/v1/people'), 401, 'enrolment-required');
		assertProblem(await get(session, '/api/v1/auth/sessions'), 401, 'enrolment-required');
		const s = await get(session, '/api/v1/auth/session');
		assert.equal(s.status, 200, s.text);
		assert.equal(s.json.stage, 'enrol');
		assert.equal(s.json.second_factor.required, true);
		assert.equal(s.json.user, undefined, 'the password alone does not tell who the account is');
		const start = await api(session, 'POST', '/api/v1/auth/totp/enrolment');
		assert.equal(start.status, 201, start.text);
		assert.match(start.json.secret, /^[A-Z2-7]{32}$/);
		assert.match(start.json.otpauth_uri,
			new RegExp(`^otpauth://totp/Chancery:${username}\\?secret=${start.json.secret}&issuer=Chancery`));
		assert.match(start.json.qr_svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<path fill="#000" d="M/);
		const bad = await api(session, 'POST', '/api/v1/auth/totp/enrolment/confirm',
			{ code: totp(start.json.secret, 5) });
		assertProblem(bad, 422, 'validation', /does not match/, '/code');
		const done = await api(session, 'POST', '/api/v1/auth/totp/enrolment/confirm',
			{ code: totp(start.json.secret) });
		assert.equal(done.status, 200, done.text);
		assert.equal(done.json.status, 'signed_in');
		assert.equal(done.json.recovery_codes.length, 10);
		assert.equal(new Set(done.json.recovery_codes).size, 10);
		for (const c of done.json.recovery_codes) assert.match(c, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
		const full = { cookie: cookieOf(done), csrf: done.json.csrf_token };
		assert.notEqual(full.cookie, session.cookie, 'a new token after the second factor');
		assert.equal((await get(full, '/api/v1/people')).status, 200);
		assertProblem(await get(session, '/api/v1/auth/session'), 401, 'unauthenticated');
		const again = await api(full, 'POST', '/api/v1/auth/totp/enrolment');
		assertProblem(again, 409, 'conflict', /already set up/);
	});
});

describe('a role that needs a second factor', () => {
	test('given to a signed-in user, it does not ride on their password-only session', async () => {
		const admin = await hqAdmin();
		const { post } = await secondPost();
		const username = uniq('promoted').toLowerCase();
		const made = await api(admin, 'POST', '/api/v1/users',
			{ username, password: PASSWORD, roles: ['staff'], post_id: post.id });
		assert.equal(made.status, 201, made.text);
		const { r, session } = await passwordStep(username);
		assert.equal(r.json.status, 'signed_in', 'staff need no second factor under the rule privileged');
		const up = await api(admin, 'PATCH', `/api/v1/users/${made.json.id}`, { roles: ['staff', 'security_officer'] });
		assert.equal(up.status, 204, up.text);
		assertProblem(await get(session, '/api/v1/people'), 401, 'unauthenticated');
		const again = await passwordStep(username);
		assert.equal(again.r.json.status, 'enrolment_required');
		// Losing a role, or a change of clearance, keeps the sessions.
		const down = await api(admin, 'PATCH', `/api/v1/users/${made.json.id}`, { roles: ['staff'] });
		assert.equal(down.status, 204, down.text);
		const s = await passwordStep(username);
		assert.equal(s.r.json.status, 'signed_in');
		const sbu = await api(admin, 'PATCH', `/api/v1/users/${made.json.id}`, { roles: ['staff', 'guard'], clearance: 'SBU' });
		assert.equal(sbu.status, 204, sbu.text);
		assert.equal((await get(s.session, '/api/v1/people?limit=1')).status, 200);
	});
});

describe('sign-in with a second factor', () => {
	let username;
	let secret;
	let recovery;
	let enrolCode;
	before(async () => {
		username = await officer();
		({ secret, recovery, code: enrolCode } = await enrol(username));
	});

	test('a code is accepted once: the enrolment code and a used code are refused as replays', async () => {
		let { r, session } = await passwordStep(username);
		assert.equal(r.json.status, 'second_factor_required');
		assertProblem(await get(session, '/api/v1/people'), 401, 'second-factor-required');
		const pending = await get(session, '/api/v1/auth/session');
		assert.equal(pending.json.stage, 'totp');
		assert.equal(pending.json.user, undefined);
		const replay = await api(session, 'POST', '/api/v1/auth/login/second-factor', { code: enrolCode });
		assertProblem(replay, 401, 'code-replayed', /used already/);
		const next = totp(secret, 1);
		const ok = await api(session, 'POST', '/api/v1/auth/login/second-factor', { code: next });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.status, 'signed_in');
		assert.equal(ok.json.user.username, username);
		({ session } = await passwordStep(username));
		const twice = await api(session, 'POST', '/api/v1/auth/login/second-factor', { code: next });
		assertProblem(twice, 401, 'code-replayed');
	});

	test('a sign-in left half-way starts again at the password, as the console does', async () => {
		const { session } = await passwordStep(username);
		// The console forgets the pending session's CSRF token and shows the
		// login form; the browser still sends the pending cookie.
		const again = await api(null, 'POST', '/api/v1/auth/login', { username, password: PASSWORD },
			{ Cookie: session.cookie });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.json.status, 'second_factor_required');
		// A write that acts as the session still needs its token.
		assertProblem(await api(null, 'POST', '/api/v1/auth/logout', undefined, { Cookie: session.cookie }),
			403, 'csrf');
	});

	test('a wrong code is refused; a recovery code works once', async () => {
		const { session } = await passwordStep(username);
		const wrong = await api(session, 'POST', '/api/v1/auth/login/second-factor', { code: '000000' });
		assertProblem(wrong, 401, 'bad-code');
		const rc = recovery[0].toUpperCase();
		const ok = await api(session, 'POST', '/api/v1/auth/login/second-factor', { recovery_code: rc });
		assert.equal(ok.status, 200, ok.text);
		const s2 = (await passwordStep(username)).session;
		const used = await api(s2, 'POST', '/api/v1/auth/login/second-factor', { recovery_code: recovery[0] });
		assertProblem(used, 401, 'bad-code');
		const ok2 = await api(s2, 'POST', '/api/v1/auth/login/second-factor', { recovery_code: recovery[1] });
		assert.equal(ok2.status, 200, ok2.text);
		const full = { cookie: cookieOf(ok2), csrf: ok2.json.csrf_token };
		const st = await get(full, '/api/v1/auth/totp');
		assert.deepEqual(st.json, { enrolled: true, required: true, recovery_codes_left: 8 });
	});

	test('re-authentication needs the code too', async () => {
		const s = (await passwordStep(username)).session;
		const ok = await api(s, 'POST', '/api/v1/auth/login/second-factor', { recovery_code: recovery[2] });
		const full = { cookie: cookieOf(ok), csrf: ok.json.csrf_token };
		assertProblem(await api(full, 'POST', '/api/v1/auth/reauth', { password: PASSWORD }),
			401, 'bad-credentials');
		assertProblem(await api(full, 'POST', '/api/v1/auth/reauth', { password: 'wrong wrong wrong', code: totp(secret, -1) }),
			401, 'bad-credentials');
	});
});

describe('administration', () => {
	test('the users list says who has a second factor, and only after confirmation', async () => {
		const admin = await hqAdmin();
		const username = await officer();
		const has = async () => (await get(admin, '/api/v1/users')).json.items
			.find((u) => u.username === username).second_factor;
		assert.equal(await has(), false);
		await enrol(username);
		assert.equal(await has(), true);
	});
});
