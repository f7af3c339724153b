// auth.test.mjs — health, sign-in and sign-out, the session cookie, CSRF and
// cross-site refusal, security headers and request ids.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, ENGINE, get, login, person, server, uniq } from './harness.mjs';

before(server);

const NEEDS_SESSION = [
	['GET', '/api/v1/auth/session'],
	['POST', '/api/v1/auth/logout'],
	['GET', '/api/v1/openapi.json'],
	['GET', '/api/v1/reference/staff-categories'],
	['GET', '/api/v1/people'],
	['POST', '/api/v1/people'],
	['GET', '/api/v1/posts'],
	['GET', '/api/v1/users'],
	['GET', '/metrics'],
];

describe('health', () => {
	test('GET /healthz is public and names the database engine', async () => {
		const r = await get(null, '/healthz');
		assert.equal(r.status, 200);
		assert.match(r.type, /^application\/json/);
		assert.equal(r.json.status, 'ok');
		assert.equal(r.json.database, ENGINE);
		assert.ok(Number.isInteger(r.json.schema_version) && r.json.schema_version >= 1, r.text);
	});
});

describe('without a session', () => {
	test('every route but login and healthz answers 401 problem+json', async () => {
		for (const [method, path] of NEEDS_SESSION) {
			const r = await api(null, method, path, path === '/api/v1/people' && method === 'POST' ? {} : undefined);
			assertProblem(r, 401, 'unauthenticated', /sign in at \/api\/v1\/auth\/login/);
		}
	});

	test('a forged or malformed session cookie is the same as none', async () => {
		for (const cookie of [
			'__Host-chancery_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
			'__Host-chancery_session=short',
			'__Host-chancery_session=',
		]) {
			const r = await get(null, '/api/v1/auth/session', { Cookie: cookie });
			assertProblem(r, 401, 'unauthenticated');
		}
	});
});

describe('sign in', () => {
	test('login sets a __Host- cookie: Secure, HttpOnly, SameSite=Strict, Path=/', async () => {
		const r = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'rso', password: 'rso-demo-passphrase' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.setCookie.length, 1);
		const [nameValue, ...attrs] = r.setCookie[0].split(';').map((x) => x.trim());
		assert.match(nameValue, /^__Host-chancery_session=[A-Za-z0-9_-]{40,}$/);
		const lower = attrs.map((a) => a.toLowerCase());
		assert.ok(lower.includes('secure'), r.setCookie[0]);
		assert.ok(lower.includes('httponly'), r.setCookie[0]);
		assert.ok(lower.includes('samesite=strict'), r.setCookie[0]);
		assert.ok(lower.includes('path=/'), r.setCookie[0]);
		assert.ok(!lower.some((a) => a.startsWith('domain=')), '__Host- cookies have no Domain');
		assert.equal(r.json.user.username, 'rso');
		assert.deepEqual(r.json.user.roles, ['security_officer']);
		assert.equal(r.json.user.display_name, 'Sofie Lund');
		assert.match(r.json.csrf_token, /^[0-9a-f]{64}$/);
		assert.ok(!('password_hash' in r.json.user));
	});

	test('the session cookie is found among other cookies', async () => {
		const s = await login('analyst');
		const r = await get(null, '/api/v1/auth/session', { Cookie: `theme=dark; ${s.cookie}; lang=en` });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.user.username, 'analyst');
	});

	test('a cross-site login is refused (login CSRF)', async () => {
		const r = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'rso', password: 'rso-demo-passphrase' }, { 'Sec-Fetch-Site': 'cross-site' });
		assertProblem(r, 403, 'cross-site');
		assert.equal(r.setCookie.length, 0);
	});

	test('GET /auth/session returns the user and the same CSRF token', async () => {
		const s = await login('analyst', { fresh: true });
		const r = await get(s, '/api/v1/auth/session');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.user.username, 'analyst');
		assert.deepEqual(r.json.user.roles, ['analyst']);
		assert.equal(r.json.csrf_token, s.csrf);
	});

	test('every demo role signs in with its role', async () => {
		const expected = {
			rso: 'security_officer', analyst: 'analyst', guard: 'guard', staff: 'staff',
			eac: 'eac_member', hq: 'hq', admin: 'administrator',
		};
		for (const [username, role] of Object.entries(expected)) {
			const s = await login(username);
			assert.deepEqual(s.user.roles, [role], username);
			if (username === 'hq') assert.equal(s.user.post_id, null, 'hq has no post of its own');
			else assert.match(s.user.post_id, /^[0-9a-f-]{36}$/, username);
		}
	});

	test('a wrong password and an unknown user get the same 401', async () => {
		const wrong = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'rso', password: 'not-the-rso-passphrase' });
		const unknown = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'nobody-here', password: 'not-the-rso-passphrase' });
		const a = assertProblem(wrong, 401, 'bad-credentials');
		const b = assertProblem(unknown, 401, 'bad-credentials');
		assert.equal(a.title, b.title);
		assert.equal(a.detail, b.detail);
		assert.match(a.detail, /username or password is wrong/);
		assert.equal(wrong.setCookie.length, 0);
		assert.equal(unknown.setCookie.length, 0);
	});

	test('login checks its body: a missing password, an unknown field', async () => {
		const missing = await api(null, 'POST', '/api/v1/auth/login', { username: 'rso' });
		assertProblem(missing, 422, 'validation', 'password is required.', '/password');
		const extra = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'rso', password: 'rso-demo-passphrase', remember: true });
		assertProblem(extra, 422, 'validation', /^remember is not a field of Login/, '/remember');
	});

	test('a body with several faults gets every one of them, not the first only', async () => {
		const r = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 42, remember: true, password: null });
		const p = assertProblem(r, 422, 'validation', /\(and 2 more: see errors\)$/);
		assert.deepEqual(p.errors.map((e) => e.field).sort(),
			['/password', '/remember', '/username']);
		for (const e of p.errors) assert.ok(e.detail.length > 0, e.field);
		assert.match(p.errors.find((e) => e.field === '/username').detail, /username must be a string/);
		assert.match(p.errors.find((e) => e.field === '/password').detail, /password may not be null/);
	});
});

describe('sign out', () => {
	test('logout answers 204, clears the cookie, and the old cookie then gets 401', async () => {
		const s = await login('guard', { fresh: true });
		assert.equal((await get(s, '/api/v1/auth/session')).status, 200);
		const out = await api(s, 'POST', '/api/v1/auth/logout');
		assert.equal(out.status, 204, out.text);
		assert.equal(out.text, '');
		assert.equal(out.setCookie.length, 1);
		assert.match(out.setCookie[0], /^__Host-chancery_session=;/);
		assert.match(out.setCookie[0], /Max-Age=0/i);
		assertProblem(await get(s, '/api/v1/auth/session'), 401, 'unauthenticated');
		assertProblem(await get(s, '/api/v1/people'), 401, 'unauthenticated');
	});

	test('logout without the CSRF token is refused and the session lives on', async () => {
		const s = await login('guard', { fresh: true });
		const r = await api(s, 'POST', '/api/v1/auth/logout', undefined, { 'X-CSRF-Token': null });
		assertProblem(r, 403, 'csrf', /X-CSRF-Token/);
		assert.equal((await get(s, '/api/v1/auth/session')).status, 200);
	});
});

describe('CSRF and cross-site writes', () => {
	// A zone that is never made: each refusal comes before the handler.
	const body = () => ({ name: 'Never made', level: 'public' });

	test('a write without X-CSRF-Token answers 403 csrf', async () => {
		const rso = await login('rso');
		const r = await api(rso, 'POST', `/api/v1/posts/${rso.user.post_id}/zones`, body(),
			{ 'X-CSRF-Token': null });
		assertProblem(r, 403, 'csrf', 'Send the session\'s csrf_token in the X-CSRF-Token header with every change.');
	});

	test('a write with another session\'s CSRF token answers 403 csrf', async () => {
		const rso = await login('rso');
		const other = await login('rso', { fresh: true });
		assert.notEqual(rso.csrf, other.csrf);
		const r = await api(rso, 'POST', `/api/v1/posts/${rso.user.post_id}/zones`, body(),
			{ 'X-CSRF-Token': other.csrf });
		assertProblem(r, 403, 'csrf');
		const empty = await api(rso, 'POST', `/api/v1/posts/${rso.user.post_id}/zones`, body(),
			{ 'X-CSRF-Token': '' });
		assertProblem(empty, 403, 'csrf');
	});

	test('Sec-Fetch-Site: cross-site is refused even with the CSRF token', async () => {
		const rso = await login('rso');
		for (const site of ['cross-site', 'same-site']) {
			const r = await api(rso, 'POST', `/api/v1/posts/${rso.user.post_id}/zones`,
				body(), { 'Sec-Fetch-Site': site });
			assertProblem(r, 403, 'cross-site', /another site/);
		}
		// Reads are not refused: a link followed from elsewhere still works.
		const read = await get(rso, '/api/v1/posts', { 'Sec-Fetch-Site': 'cross-site' });
		assert.equal(read.status, 200, read.text);
	});

	test('Sec-Fetch-Site: same-origin with the token passes the CSRF checks', async () => {
		const rso = await login('rso');
		// An invalid body: a 422 shows the request got past CSRF to validation.
		const r = await api(rso, 'POST', '/api/v1/people', { given_name: 'X' },
			{ 'Sec-Fetch-Site': 'same-origin' });
		assertProblem(r, 422, 'validation');
	});
});

describe('headers', () => {
	const checkSecurityHeaders = (r, label) => {
		const h = r.headers;
		assert.equal(h.get('x-content-type-options'), 'nosniff', label);
		assert.match(h.get('strict-transport-security') || '', /max-age=\d{7,}/, label);
		assert.match(h.get('content-security-policy') || '', /default-src 'none'/, label);
		assert.match(h.get('content-security-policy') || '', /frame-ancestors 'none'/, label);
		assert.equal(h.get('x-frame-options'), 'DENY', label);
		assert.equal(h.get('cross-origin-resource-policy'), 'same-origin', label);
		assert.match(h.get('x-request-id') || '', /^[0-9a-f]{32}$/, label);
	};
	// What governs a document goes on the console's pages.
	const checkPageHeaders = (r, label) => {
		checkSecurityHeaders(r, label);
		const h = r.headers;
		assert.equal(h.get('referrer-policy'), 'no-referrer', label);
		assert.equal(h.get('cross-origin-opener-policy'), 'same-origin', label);
		assert.match(h.get('permissions-policy') || '', /camera=\(\)/, label);
		assert.match(h.get('content-security-policy') || '', /script-src 'self'/, label);
	};

	test('a page of the console carries the document headers too', async () => {
		const page = await get(null, '/');
		assert.equal(page.status, 200);
		assert.match(page.headers.get('content-type') || '', /^text\/html/);
		checkPageHeaders(page, 'console page');
	});

	test('security headers on every kind of answer', async () => {
		const rso = await login('rso');
		const answers = {
			'healthz 200': await get(null, '/healthz'),
			'people 200': await get(rso, '/api/v1/people?limit=1'),
			'401': await get(null, '/api/v1/people'),
			'403': await get(await login('staff'), '/api/v1/people'),
			'404': await get(rso, '/api/v1/nothing-here'),
			'405': await api(rso, 'DELETE', '/api/v1/people'),
			'422': await api(rso, 'POST', '/api/v1/people', {}),
			'metrics text': await get(rso, '/metrics'),
			'logout 204': await api(await login('eac', { fresh: true }), 'POST', '/api/v1/auth/logout'),
		};
		for (const [label, r] of Object.entries(answers)) {
			checkSecurityHeaders(r, label);
			assert.equal(r.headers.get('cache-control'), 'no-store', label);
		}
		assert.equal(answers['logout 204'].status, 204);
		assert.equal(answers['405'].status, 405);
	});

	test('an incoming X-Request-Id of safe characters is echoed back', async () => {
		const id = 'api-test_Req-0001';
		const ok = await get(null, '/healthz', { 'X-Request-Id': id });
		assert.equal(ok.headers.get('x-request-id'), id);
		const problem = await get(null, '/api/v1/people', { 'X-Request-Id': id });
		assert.equal(problem.headers.get('x-request-id'), id);
		assert.equal(problem.json.request_id, id);
	});

	test('an unsafe or over-long X-Request-Id is replaced by a fresh one', async () => {
		for (const given of ['has space', 'semi;colon', '<script>', 'x'.repeat(33)]) {
			const r = await get(null, '/healthz', { 'X-Request-Id': given });
			const back = r.headers.get('x-request-id');
			assert.notEqual(back, given);
			assert.match(back, /^[0-9a-f]{32}$/, given);
		}
		const a = await get(null, '/healthz');
		const b = await get(null, '/healthz');
		assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
	});
});

describe('roles', () => {
	test('staff see only their own person record, in the list and by id', async () => {
		const staff = await login('staff');
		const r = await get(staff, '/api/v1/people?limit=200');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((p) => p.full_name), ['Line Bech']);
		assert.equal(r.json.next_cursor, null, 'counts do not leak through paging');
		const own = r.json.items[0].id;
		assert.equal((await get(staff, `/api/v1/people/${own}`)).status, 200);
		const other = (await person('Helena Varga')).id;
		assertProblem(await get(staff, `/api/v1/people/${other}`), 404, 'not-found');
		const search = await get(staff, '/api/v1/people?q=varga');
		assert.equal(search.status, 200);
		assert.deepEqual(search.json.items, [], 'a search does not reach past their own record');
	});

	test('a staff user linked to no person may not read people at all', async () => {
		const admin = await login('admin');
		const name = uniq('apitest-staff');
		const c = await api(admin, 'POST', '/api/v1/users',
			{ username: name, password: 'a long enough passphrase 42', roles: ['staff'] });
		assert.equal(c.status, 201, c.text);
		const s = await login(name, { password: 'a long enough passphrase 42' });
		assertProblem(await get(s, '/api/v1/people'), 403, 'forbidden', /Your role does not allow this/);
	});

	test('people.read for rso, analyst, guard, eac, hq and admin', async () => {
		for (const u of ['rso', 'analyst', 'guard', 'eac', 'hq', 'admin']) {
			const r = await get(await login(u), '/api/v1/people?limit=1');
			assert.equal(r.status, 200, `${u}: ${r.text}`);
			assert.equal(r.json.items.length, 1, u);
		}
	});

	test('people.write only for rso and admin', async () => {
		for (const u of ['analyst', 'guard', 'staff', 'eac', 'hq']) {
			const r = await api(await login(u), 'POST', '/api/v1/people', {});
			assertProblem(r, 403, 'forbidden');
		}
		for (const u of ['rso', 'admin']) {
			const r = await api(await login(u), 'POST', '/api/v1/people', {});
			assertProblem(r, 422, 'validation');
		}
	});

	test('everyone signed in may read the staff categories', async () => {
		const r = await get(await login('staff'), '/api/v1/reference/staff-categories');
		assert.equal(r.status, 200);
		const codes = r.json.items.map((c) => c.code);
		assert.deepEqual(codes, ['diplomatic_agent', 'administrative_technical', 'service_staff',
			'private_servant', 'consular_officer', 'consular_employee', 'honorary_consular_officer',
			'locally_employed', 'family_member', 'contractor']);
		assert.ok(r.json.items.every((c) => typeof c.label === 'string' && c.label.length > 0));
	});
});
