// validation.test.mjs — how the server refuses bad requests: unknown paths and
// methods, media types, body limits, malformed JSON, strict field checking,
// and the people rules, each with the problem type and a useful detail.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
	api, assertProblem, base, demoPost, get, login, newPerson, server, TEST_POSITION,
} from './harness.mjs';

before(server);

const KB = 1024;
const validPerson = async (extra = {}) => ({
	post_id: await demoPost(), given_name: 'Valid', family_name: 'Person',
	category: 'service_staff', nationality: 'DK', position: TEST_POSITION, ...extra,
});

describe('paths and methods', () => {
	test('an unknown path answers 404 not-found, with or without a session', async () => {
		const rso = await login('rso');
		for (const path of ['/api/v1/nothing', '/api/v1/peoples', '/api/v1/people/', '/api/v2/people',
			'/api/v1/people/01a2148a-0000-7000-8000-000000000000/nothing', `/api/v1/people/${'a'.repeat(80)}`]) {
			assertProblem(await get(rso, path), 404, 'not-found', /Nothing is at this address; see \/api\/v1\/openapi.json/);
			assertProblem(await get(null, path), 404, 'not-found');
		}
	});

	test('a known path with a method it does not take answers 405', async () => {
		const rso = await login('rso');
		const person = await newPerson();
		for (const [method, path] of [
			['DELETE', '/api/v1/people'],
			['PUT', `/api/v1/people/${person.id}`],
			['DELETE', `/api/v1/people/${person.id}`],
			['POST', '/healthz'],
			['GET', '/api/v1/auth/login'],
			['PATCH', '/api/v1/posts'],
			['GET', `/api/v1/people/${person.id}/training`],
		]) {
			const r = await api(rso, method, path);
			assertProblem(r, 405, 'method-not-allowed', /does not accept that method/);
		}
		// The person is still there.
		assert.equal((await get(rso, `/api/v1/people/${person.id}`)).status, 200);
	});
});

describe('media type and size', () => {
	test('a body that is not application/json answers 415', async () => {
		const rso = await login('rso');
		const body = JSON.stringify(await validPerson());
		for (const type of [null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
			const r = await api(rso, 'POST', '/api/v1/people', body, { 'Content-Type': type });
			assertProblem(r, 415, 'unsupported-media-type', 'Send the body as application/json.');
		}
		const ok = await api(rso, 'POST', '/api/v1/people', body,
			{ 'Content-Type': 'application/json; charset=utf-8' });
		assert.equal(ok.status, 201, ok.text);
	});

	test('media types are case-insensitive (RFC 9110 8.3.1): Application/JSON is JSON', async () => {
		const rso = await login('rso');
		const r = await api(rso, 'POST', '/api/v1/people', JSON.stringify(await validPerson()),
			{ 'Content-Type': 'Application/JSON' });
		assert.equal(r.status, 201, r.text);
	});

	test('a body over the route\'s limit answers 413, by Content-Length, before anything else', async () => {
		const rso = await login('rso');
		const big = (n) => JSON.stringify({ given_name: 'x'.repeat(n - 17) }); // n bytes
		assert.equal(big(16 * KB + 1).length, 16 * KB + 1);
		assertProblem(await api(rso, 'POST', '/api/v1/people', big(16 * KB + 1)), 413, 'body-too-large',
			/larger than this route accepts/);
		// At the limit it is read and checked (a 422, not a 413).
		assertProblem(await api(rso, 'POST', '/api/v1/people', big(16 * KB)), 422, 'validation');
		// Size is checked before the session: no 401 for an oversized login either.
		assertProblem(await api(null, 'POST', '/api/v1/auth/login', big(4 * KB + 1)), 413, 'body-too-large');
		// A route that takes no body refuses one, and does nothing.
		const s = await login('analyst', { fresh: true });
		assertProblem(await api(s, 'POST', '/api/v1/auth/logout', {}), 413, 'body-too-large');
		assert.equal((await get(s, '/api/v1/auth/session')).status, 200, 'still signed in');
	});

	test('a chunked body that grows past the limit answers 413', async () => {
		const rso = await login('rso');
		const chunk = new TextEncoder().encode(' '.repeat(4 * KB));
		let sent = 0;
		const stream = new ReadableStream({
			pull(c) {
				if (sent++ < 6) c.enqueue(chunk); // 24 KiB > 16 KiB
				else c.close();
			},
		});
		const r = await fetch(`${await base()}/api/v1/people`, {
			method: 'POST', body: stream, duplex: 'half',
			headers: { Cookie: rso.cookie, 'X-CSRF-Token': rso.csrf, 'Content-Type': 'application/json' },
		});
		assert.equal(r.status, 413, await r.text());
	});

	test('a chunked body that never ends is cut off once past what is drained (2 MiB)', async () => {
		const rso = await login('rso');
		const chunk = new TextEncoder().encode(' '.repeat(64 * KB));
		let sent = 0;
		let settled = false;
		const stream = new ReadableStream({
			pull(c) { // no end of its own
				if (settled) c.close(); // (node's fetch would pull on, and hold its pool)
				else { sent += chunk.length; c.enqueue(chunk); }
			},
		});
		let outcome;
		try {
			const r = await fetch(`${await base()}/api/v1/people`, {
				method: 'POST', body: stream, duplex: 'half',
				headers: { Cookie: rso.cookie, 'X-CSRF-Token': rso.csrf, 'Content-Type': 'application/json' },
				signal: AbortSignal.timeout(30_000), // a server that drains on would never stop
			});
			outcome = `answered ${r.status}`;
		} catch (e) {
			outcome = e.name === 'TimeoutError' ? 'still reading after 30 s' : 'closed';
		}
		settled = true;
		assert.equal(outcome, 'closed');
		// The server stopped reading soon after 2 MiB, not at its idle
		// timeout (the stream never pauses): what was sent is 2 MiB and
		// what the sockets' buffers held.
		assert.ok(sent < 64 * 1024 * KB, `${sent} bytes sent`);
		assert.equal((await get(rso, '/api/v1/auth/session')).status, 200, 'the server still answers');
	});

	test('a write with no body where one is needed answers 400 body-required', async () => {
		const rso = await login('rso');
		for (const path of ['/api/v1/people', '/api/v1/posts']) {
			const r = await api(rso, 'POST', path, undefined, { 'Content-Type': 'application/json' });
			assertProblem(r, 400, 'body-required', 'This request needs a JSON object body.');
		}
	});
});

describe('JSON', () => {
	test('malformed JSON answers 400 malformed-json with the parser\'s position', async () => {
		const rso = await login('rso');
		for (const text of ['{"given_name": ', '{given_name: "x"}', "{'a': 1}", '{"a": 1} trailing', 'null',
			'{"a": NaN}', '{"a": 1e400}', '{"given_name": "a\\u0000b"}']) {
			const r = await api(rso, 'POST', '/api/v1/people', text);
			assertProblem(r, 400, 'malformed-json', /^The body is not valid JSON: .* \(line \d+, column -?\d+\)\.$/);
		}
	});

	test('the answer to malformed JSON does not quote the body: a password in it stays out', async () => {
		for (const text of ['{"username": "rso", "password": "Sx9tiger\\qlily"}',
			'{"username": "rso", "password": "Sx9ti"ger lily"}',
			'{"username": "rso", "password": "Sx9\u0001tiger"}']) {
			const r = await api(null, 'POST', '/api/v1/auth/login', text);
			assertProblem(r, 400, 'malformed-json', /^The body is not valid JSON: .* \(line \d+, column -?\d+\)\.$/);
			assert.doesNotMatch(r.json.detail, /Sx9|tiger|ger/, r.json.detail);
		}
	});

	test('invalid UTF-8 inside a JSON string is malformed', async () => {
		const rso = await login('rso');
		const bytes = Buffer.concat([Buffer.from('{"given_name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
		const r = await api(rso, 'POST', '/api/v1/people', new Uint8Array(bytes));
		assertProblem(r, 400, 'malformed-json');
	});

	test('duplicate keys are refused', async () => {
		const r = await api(await login('rso'), 'POST', '/api/v1/people',
			'{"given_name": "A", "given_name": "B"}');
		assertProblem(r, 400, 'malformed-json', /duplicate object key/);
	});

	test('the body must be an object', async () => {
		const rso = await login('rso');
		for (const text of ['[]', '[{"given_name": "A"}]']) {
			const r = await api(rso, 'POST', '/api/v1/people', text);
			assertProblem(r, 422, 'validation', 'The body must be a JSON object.');
		}
	});

	test('an unknown field answers 422 naming the field', async () => {
		const rso = await login('rso');
		const r = await api(rso, 'POST', '/api/v1/people', await validPerson({ shoe_size: 44 }));
		assertProblem(r, 422, 'validation', 'shoe_size is not a field of PersonCreate; remove it.', '/shoe_size');
		// The output's derived fields are not input either.
		const full = await api(rso, 'POST', '/api/v1/people', await validPerson({ full_name: 'Valid Person' }));
		assertProblem(full, 422, 'validation', /full_name is not a field of PersonCreate/, '/full_name');
		const id = await api(rso, 'POST', '/api/v1/people', await validPerson({ id: '01a2148a-0000-7000-8000-000000000000' }));
		assertProblem(id, 422, 'validation', /id is not a field of PersonCreate/, '/id');
		const p = await newPerson();
		const patch = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { version: 5 }, { 'If-Match': '"1"' });
		assertProblem(patch, 422, 'validation', 'version is not a field of PersonUpdate; remove it.', '/version');
	});

	test('wrong types answer 422 saying the type expected', async () => {
		const rso = await login('rso');
		const cases = [
			[{ given_name: 42 }, '/given_name', 'given_name must be a string.'],
			[{ host_national: 'yes' }, '/host_national', 'host_national must be true or false.'],
			[{ host_national: 1 }, '/host_national', 'host_national must be true or false.'],
			[{ arrived_on: 20260101 }, '/arrived_on', 'arrived_on must be a date, YYYY-MM-DD.'],
			[{ post_id: 7 }, '/post_id', 'post_id must be an id.'],
			[{ category: ['diplomatic_agent'] }, '/category', 'category must be one of the listed values.'],
			[{ given_name: { first: 'A' } }, '/given_name', 'given_name must be a string.'],
			[{ given_name: null }, '/given_name', 'given_name may not be null.'],
			[{ clearance: null }, '/clearance', 'clearance may not be null.'],
		];
		for (const [change, field, detail] of cases) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson(change));
			assertProblem(r, 422, 'validation', detail, field);
		}
	});

	test('a missing required field is named', async () => {
		const rso = await login('rso');
		for (const k of ['post_id', 'given_name', 'family_name', 'category', 'nationality']) {
			const body = await validPerson();
			delete body[k];
			const r = await api(rso, 'POST', '/api/v1/people', body);
			assertProblem(r, 422, 'validation', `${k} is required.`, `/${k}`);
		}
	});
});

describe('people rules', () => {
	test('nationality must be an ISO 3166-1 alpha-2 code in capitals', async () => {
		const rso = await login('rso');
		for (const nat of ['ke', 'Ke', 'K1', '12', 'K', 'Ü']) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson({ nationality: nat }));
			assertProblem(r, 422, 'validation',
				'nationality must be an ISO 3166-1 alpha-2 code in capitals, for example FR or KE.', '/nationality');
		}
		const three = await api(rso, 'POST', '/api/v1/people', await validPerson({ nationality: 'KEN' }));
		assertProblem(three, 422, 'validation', 'nationality is 3 characters long; at most 2 are allowed.', '/nationality');
	});

	test('category, gender, clearance and relationship must be known values', async () => {
		const rso = await login('rso');
		const cases = [
			[{ category: 'ambassador' }, '/category',
				/^category "ambassador" is not allowed; use one of: diplomatic_agent, .*contractor\.$/],
			[{ gender: 'f' }, '/gender', 'gender "f" is not allowed; use one of: female, male, other, unspecified.'],
			[{ clearance: 'TOP SECRET' }, '/clearance', /clearance "TOP SECRET" is not allowed; use one of: UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET\./],
			[{ relationship: 'cousin' }, '/relationship', /relationship "cousin" is not allowed/],
		];
		for (const [change, field, detail] of cases) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson(change));
			assertProblem(r, 422, 'validation', detail, field);
		}
	});

	test('dates must exist and be written YYYY-MM-DD; functions cannot end before arrival', async () => {
		const rso = await login('rso');
		for (const d of ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '01/02/2026', '2026-00-10']) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson({ arrived_on: d }));
			assertProblem(r, 422, 'validation', `arrived_on "${d}" is not a date: write YYYY-MM-DD.`, '/arrived_on');
		}
		const stamp = await api(rso, 'POST', '/api/v1/people', await validPerson({ arrived_on: '2026-01-01T00:00:00Z' }));
		assertProblem(stamp, 422, 'validation', 'arrived_on is 20 characters long; at most 10 are allowed.', '/arrived_on');
		const leap = await api(rso, 'POST', '/api/v1/people', await validPerson({ date_of_birth: '2000-02-29' }));
		assert.equal(leap.status, 201, leap.text);
		const r = await api(rso, 'POST', '/api/v1/people',
			await validPerson({ arrived_on: '2026-03-01', functions_end_on: '2026-02-28' }));
		assertProblem(r, 422, 'validation', 'functions_end_on (2026-02-28) is before arrived_on (2026-03-01).',
			'/functions_end_on');
	});

	test('names: length in characters, no control characters, no outer spaces', async () => {
		const rso = await login('rso');
		const long = await api(rso, 'POST', '/api/v1/people', await validPerson({ given_name: 'Ж'.repeat(101) }));
		assertProblem(long, 422, 'validation', 'given_name is 101 characters long; at most 100 are allowed.', '/given_name');
		const exact = await api(rso, 'POST', '/api/v1/people', await validPerson({ given_name: 'Ж'.repeat(100) }));
		assert.equal(exact.status, 201, 'the limit counts characters, not bytes');
		const ctl = await api(rso, 'POST', '/api/v1/people', await validPerson({ family_name: 'Bad\tName' }));
		assertProblem(ctl, 422, 'validation', 'family_name contains a control character; remove it.', '/family_name');
		const padded = await api(rso, 'POST', '/api/v1/people', await validPerson({ family_name: 'Name ' }));
		assertProblem(padded, 422, 'validation', 'family_name starts or ends with a space; trim it.', '/family_name');
		const empty = await api(rso, 'POST', '/api/v1/people', await validPerson({ given_name: '' }));
		assertProblem(empty, 422, 'validation', 'given_name is required.', '/given_name');
	});

	test('e-mail and telephone formats', async () => {
		const rso = await login('rso');
		for (const email of ['no-at-sign', '@example.org', 'two words@example.org']) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson({ email }));
			assertProblem(r, 422, 'validation', /is not an e-mail address/, '/email');
		}
		for (const phone of ['1234', 'call me', '+1 (555) 0100 ext 7']) {
			const r = await api(rso, 'POST', '/api/v1/people', await validPerson({ phone }));
			assertProblem(r, 422, 'validation', /is not a telephone number: use digits, spaces and a leading \+/, '/phone');
		}
		const ok = await api(rso, 'POST', '/api/v1/people',
			await validPerson({ email: 'a.b@example.org', phone: '+254 (20) 555-0100' }));
		assert.equal(ok.status, 201, ok.text);
	});

	test('PATCH cannot make a staff member a family member without a household', async () => {
		const rso = await login('rso');
		const p = await newPerson();
		const r = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { category: 'family_member' },
			{ 'If-Match': '"1"' });
		assertProblem(r, 422, 'validation', /set household_of/, '/household_of');
		const again = await api(rso, 'PATCH', `/api/v1/people/${p.id}`, { given_name: null }, { 'If-Match': '"1"' });
		assertProblem(again, 422, 'validation', 'given_name may not be null.', '/given_name');
		assert.equal((await get(rso, `/api/v1/people/${p.id}`)).json.version, 1, 'nothing was written');
	});

	test('q must be valid UTF-8', async () => {
		const r = await get(await login('rso'), '/api/v1/people?q=%ff%fe');
		assertProblem(r, 400, 'bad-query', /UTF-8/);
	});
});

describe('content negotiation', () => {
	test('an Accept that excludes JSON gets 406 as problem+json', async () => {
		const s = await login('rso');
		const r = await api(s, 'GET', '/api/v1/posts', undefined, { Accept: 'text/html' });
		assertProblem(r, 406, 'not-acceptable', /application\/json/);
	});

	test('Accept lists with parameters and wildcards are understood', async () => {
		const s = await login('rso');
		for (const accept of ['application/json;q=0.9, text/html', 'text/html, */*;q=0.1',
			'application/*', 'APPLICATION/JSON'])
			assert.equal((await api(s, 'GET', '/api/v1/posts', undefined, { Accept: accept })).status,
				200, accept);
	});

	test('/metrics answers text and refuses a JSON-only client', async () => {
		const s = await login('rso');
		assert.equal((await api(s, 'GET', '/metrics', undefined, { Accept: 'text/plain' })).status, 200);
		assertProblem(await api(s, 'GET', '/metrics', undefined, { Accept: 'application/json' }),
			406, 'not-acceptable', /text\/plain/);
	});

	test('CORS stays closed: no Access-Control headers, preflight refused', async () => {
		const s = await login('rso');
		const r = await api(s, 'GET', '/api/v1/posts', undefined, { Origin: 'https://evil.example' });
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('access-control-allow-origin'), null);
		const pre = await api(null, 'OPTIONS', '/api/v1/people', undefined,
			{ Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
		assert.equal(pre.status, 405);
		assert.equal(pre.headers.get('access-control-allow-origin'), null);
		assert.equal(r.headers.get('server'), null, 'no server banner');
	});
});
