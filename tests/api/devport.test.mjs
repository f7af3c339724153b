// devport.test.mjs — the device listener (serve --device-listen), spoken to
// over raw sockets (node:net, node:tls) so that what goes over the wire is
// exactly what the test writes: keep-alive, pipelining (decisions and reads
// mixed, answered in order), HTTP/1.0, Connection: close, Expect:
// 100-continue with a body sent later, a body in many packets, a head
// awaiting its body while the buffer grows, every refusal with its status,
// cookies ignored, the per-address limit, a client that leaves while its
// decision waits for the disk, a client that does not read its answers;
// over TLS (the shared server) and plain HTTP (a server of this file's own).
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
	api, assertProblem, demoPost, login, ownDemo, PROBLEM_BASE, server, uniq,
} from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A connection to base (https://... or http://...) that collects what the
// server sends and parses answers (interim 1xx ones included) as they come.
async function connect(base) {
	const url = new URL(base);
	const opts = { host: url.hostname, port: Number(url.port) };
	const sock = url.protocol === 'https:'
		? tls.connect({ ...opts, rejectUnauthorized: false })
		: net.connect(opts);
	sock.setNoDelay(true);
	await new Promise((res, rej) => {
		sock.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', res);
		sock.once('error', rej);
	});
	let data = Buffer.alloc(0);
	let ended = false;
	let waiter = null;
	const poke = () => { if (waiter) { const w = waiter; waiter = null; w(); } };
	sock.on('data', (d) => { data = Buffer.concat([data, d]); poke(); });
	sock.on('end', () => { ended = true; poke(); });
	sock.on('close', () => { ended = true; poke(); });
	sock.on('error', () => { ended = true; poke(); });
	const c = {
		sock,
		get ended() { return ended; },
		get buffered() { return data.length; },
		write: (s) => new Promise((res) => sock.write(s, res)),
		// The next answer (an interim one too): {status, headers, body,
		// json}; null when the connection ended first.
		async answer(timeoutMs = 20000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const a = parseAnswer(data);
				if (a) {
					data = data.subarray(a.size);
					return a;
				}
				if (ended) return null;
				if (Date.now() > deadline) throw new Error(`no answer in ${timeoutMs} ms; have: ${data.toString().slice(0, 300)}`);
				await Promise.race([new Promise((r) => { waiter = r; }), sleep(200)]);
			}
		},
		// Whether the server ends the connection within ms.
		async closedWithin(ms = 5000) {
			const deadline = Date.now() + ms;
			while (!ended && Date.now() < deadline)
				await Promise.race([new Promise((r) => { waiter = r; }), sleep(50)]);
			return ended;
		},
		pause: () => sock.pause(),
		resume: () => sock.resume(),
		close: () => sock.destroy(),
	};
	return c;
}

function parseAnswer(buf) {
	const end = buf.indexOf('\r\n\r\n');
	if (end < 0) return null;
	const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
	const m = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(lines[0]);
	assert.ok(m, `not a status line: ${JSON.stringify(lines[0])}`);
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		assert.ok(i > 0, `not a field line: ${JSON.stringify(l)}`);
		headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
	}
	const status = Number(m[1]);
	const len = status < 200 ? 0 : Number(headers['content-length']);
	assert.ok(Number.isInteger(len), `no Content-Length: ${lines.join(' | ')}`);
	if (buf.length < end + 4 + len) return null;
	const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
	let json = null;
	if (/json/.test(headers['content-type'] || '') && body) json = JSON.parse(body);
	return { status, reason: m[2], headers, body, json, size: end + 4 + len };
}

// One request's bytes.
function request(method, path, { token, body, headers = {}, version = '1.1', host = 'gate' } = {}) {
	const h = [];
	if (host !== null) h.push(`Host: ${host}`);
	if (token) h.push(`Authorization: Bearer ${token}`);
	if (body !== undefined) h.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
	for (const [k, v] of Object.entries(headers)) h.push(`${k}: ${v}`);
	return `${method} ${path} HTTP/${version}\r\n${h.map((l) => `${l}\r\n`).join('')}\r\n${body ?? ''}`;
}

// A problem answer's checks (what assertProblem checks of fetch's answers).
function problem(a, status, slug, detail) {
	const what = `${a?.status} ${a?.body}`;
	assert.ok(a, 'no answer');
	assert.equal(a.status, status, what);
	assert.match(a.headers['content-type'], /^application\/problem\+json/, what);
	assert.equal(a.json.type, PROBLEM_BASE + slug, what);
	assert.equal(a.json.status, status, what);
	assert.equal(a.json.request_id, a.headers['x-request-id'], what);
	if (detail instanceof RegExp) assert.match(a.json.detail, detail, what);
	return a.json;
}

// A device token and a point of the demo post to decide at.
async function gateSetup() {
	const postId = await demoPost();
	const d = await api(await login('admin'), 'POST', '/api/v1/devices',
		{ name: uniq('API devport reader'), post_id: postId });
	assert.equal(d.status, 201, d.text);
	const rso = await login('rso');
	const z = await api(rso, 'GET', `/api/v1/posts/${postId}/zones`);
	const zones = Object.fromEntries(z.json.items.map((x) => [x.name, x.id]));
	const p = await api(rso, 'POST', '/api/v1/access/points', {
		post_id: postId, name: uniq('API devport door'), from_zone_id: zones['Compound perimeter'],
		to_zone_id: zones['Chancery ground floor'],
	});
	assert.equal(p.status, 201, p.text);
	return { token: d.json.token, point: p.json.id };
}

// The checks run over TLS (the shared server) and over plain HTTP.
function suite(name, setup) {
	describe(name, () => {
		let base, token, point;
		const decision = (badge = uniq('NOBADGE')) =>
			JSON.stringify({ point_id: point, badge, direction: 'in' });
		const decide = (extra = {}) => request('POST', '/api/v1/access/decisions',
			{ token, body: decision(), ...extra });
		const self = (extra = {}) => request('GET', '/api/v1/device', { token, ...extra });

		before(async () => {
			({ base, token, point } = await setup());
		});

		test('keep-alive: answers one after the other on one connection', async () => {
			const c = await connect(base);
			for (let i = 0; i < 3; i++) {
				await c.write(i % 2 ? decide() : self());
				const a = await c.answer();
				assert.equal(a.status, 200, a.body);
				assert.equal(a.headers.connection, undefined);
				if (i % 2) assert.equal(a.json.decision, 'deny', a.body);
				else assert.equal(typeof a.json.name, 'string', a.body);
			}
			assert.equal(c.ended, false);
			c.close();
		});

		test('pipelining: decisions and reads mixed, answered in order', async () => {
			const c = await connect(base);
			const kinds = ['d', 'g', 'd', 'd', 'g', 'x', 'd', 'g'];
			await c.write(kinds.map((k) => (k === 'd' ? decide() : k === 'g' ? self()
				: request('GET', '/api/v1/incidents', { token }))).join(''));
			for (const k of kinds) {
				const a = await c.answer();
				if (k === 'd') assert.equal(a.json?.decision, 'deny', a.body);
				else if (k === 'g') assert.equal(a.status, 200, a.body);
				else problem(a, 404, 'not-found');
			}
			assert.equal(c.ended, false);
			c.close();
		});

		test('HTTP/1.0: no Host needed, closed after unless kept alive', async () => {
			let c = await connect(base);
			await c.write(self({ version: '1.0', host: null }));
			let a = await c.answer();
			assert.equal(a.status, 200, a.body);
			assert.equal(a.headers.connection, 'close');
			assert.ok(await c.closedWithin());
			c = await connect(base);
			await c.write(self({ version: '1.0', headers: { Connection: 'keep-alive' } }));
			a = await c.answer();
			assert.equal(a.status, 200, a.body);
			assert.equal(a.headers.connection, 'keep-alive');
			await c.write(self({ version: '1.0' }));
			a = await c.answer();
			assert.equal(a.headers.connection, 'close');
			assert.ok(await c.closedWithin());
		});

		test('Connection: close ends the connection after the answer, also a deferred one', async () => {
			for (const req of [self, decide]) {
				const c = await connect(base);
				// What follows a closing request is not answered.
				await c.write(req({ headers: { Connection: 'close' } }) + self());
				const a = await c.answer();
				assert.equal(a.status, 200, a.body);
				assert.equal(a.headers.connection, 'close');
				assert.equal(await c.answer(), null);
				assert.ok(c.ended);
			}
		});

		test('Expect: 100-continue, the body sent after the interim answer', async () => {
			const c = await connect(base);
			const body = decision();
			await c.write(`POST /api/v1/access/decisions HTTP/1.1\r\nHost: gate\r\nAuthorization: Bearer ${token}\r\n`
				+ `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
			const interim = await c.answer();
			assert.equal(interim.status, 100);
			await sleep(300);
			await c.write(body);
			const a = await c.answer();
			assert.equal(a.json?.decision, 'deny', a.body);
			// A body already sent gets no interim answer.
			await c.write(decide({ headers: { Expect: '100-continue' } }));
			assert.equal((await c.answer()).status, 200);
			c.close();
			// HTTP/1.0 knows no interim answer: the first is the final one.
			const old = await connect(base);
			const body10 = decision();
			await old.write(`POST /api/v1/access/decisions HTTP/1.0\r\nAuthorization: Bearer ${token}\r\n`
				+ `Content-Type: application/json\r\nContent-Length: ${body10.length}\r\nExpect: 100-continue\r\n\r\n`);
			await sleep(300);
			await old.write(body10);
			assert.equal((await old.answer()).json?.decision, 'deny');
			old.close();
		});

		test('a head and a body in many small packets', async () => {
			const c = await connect(base);
			const bytes = Buffer.from(decide());
			for (let i = 0; i < bytes.length; i += 7) {
				await c.write(bytes.subarray(i, i + 7));
				await sleep(2);
			}
			const a = await c.answer();
			assert.equal(a.json?.decision, 'deny', a.body);
			c.close();
		});

		test('a head awaiting its body while the buffer grows is still read right', async () => {
			// Heads of about 4 KiB with their bodies sent later, on several
			// connections at once: the bodies make each connection's
			// buffer grow (and move) after its head was parsed.
			const body = decision();
			const pad = 'x'.repeat(4050 - 160 - token.length);
			const head = `POST /api/v1/access/decisions HTTP/1.1\r\nHost: gate\r\nAuthorization: Bearer ${token}\r\n`
				+ `Content-Type: application/json\r\nX-Pad: ${pad}\r\nContent-Length: ${body.length}\r\n\r\n`;
			assert.ok(head.length < 4096 && head.length + body.length > 4096, String(head.length));
			const cs = await Promise.all(Array.from({ length: 8 }, () => connect(base)));
			for (const c of cs) await c.write(head);
			await sleep(300);
			for (const c of cs) await c.write(body);
			for (const c of cs) {
				const a = await c.answer();
				assert.equal(a.json?.decision, 'deny', `${a.status} ${a.body}`);
				c.close();
			}
		});

		test('refusals: the status, the problem, and the connection closed', async () => {
			const cases = [
				['GET  /api/v1/device HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'bad-request', /request target/],
				['GET /api/v1/device HTTP/1.1\r\nHost: a\nX: y\r\n\r\n', 400, 'bad-request', /CRLF/],
				['GET /api/v1/device HTTP/1.1\r\n\r\n', 400, 'bad-request', /Host/],
				[`POST /api/v1/access/decisions HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n`,
					413, 'body-too-large', /larger than any device route/],
				[`GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414, 'uri-too-long', /too long/],
				['POST /api/v1/access/decisions HTTP/1.1\r\nHost: a\r\nExpect: the-moon\r\nContent-Length: 2\r\n\r\n{}',
					417, 'expectation-failed', /100-continue/],
				[`GET /api/v1/device HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 60 }, (_, i) => `X-${i}: ${i}\r\n`).join('')}\r\n`,
					431, 'header-too-large', /too many fields/],
				[`GET /api/v1/device HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(9000)}\r\n\r\n`,
					431, 'header-too-large', /too large/],
				['POST /api/v1/access/decisions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
					501, 'unsupported', /Content-Length/],
				['GET /api/v1/device HTTP/2.0\r\nHost: a\r\n\r\n', 505, 'http-version', /HTTP\/1\.1/],
			];
			for (const [text, status, slug, detail] of cases) {
				const c = await connect(base);
				// A valid request after the refused one is never read.
				await c.write(text + self());
				const a = await c.answer();
				problem(a, status, slug, detail);
				assert.equal(a.headers.connection, 'close', text.slice(0, 60));
				assert.equal(await c.answer(), null, text.slice(0, 60));
			}
		});

		test('other routes are 404 here; a body too large for its route is 413 and the connection stays', async () => {
			const c = await connect(base);
			await c.write(request('GET', '/api/v1/incidents', { token }));
			problem(await c.answer(), 404, 'not-found', /device routes only/);
			await c.write(request('POST', '/api/v1/auth/login', { body: '{"username":"rso","password":"x"}' }));
			problem(await c.answer(), 404, 'not-found', /device routes only/);
			await c.write(request('POST', '/api/v1/access/decisions',
				{ token, body: JSON.stringify({ pad: 'x'.repeat(2000) }) }));
			problem(await c.answer(), 413, 'body-too-large');
			await c.write(self());
			assert.equal((await c.answer()).status, 200);
			c.close();
		});

		test('cookies are ignored: a session is no authority here (401)', async () => {
			const s = await login('rso');
			const c = await connect(base);
			// The answer says what this port takes (no sign-in here).
			await c.write(request('GET', '/api/v1/device', { headers: { Cookie: s.cookie } }));
			problem(await c.answer(), 401, 'unauthenticated', /^This port takes device tokens only/);
			await c.write(request('GET', '/api/v1/people', { headers: { Cookie: s.cookie } }));
			problem(await c.answer(), 401, 'unauthenticated', /device tokens only/);
			await c.write(request('GET', '/api/v1/device', { token: 'chd_not-a-token' }));
			problem(await c.answer(), 401, 'unauthenticated', /device tokens only/);
			// A device route's path with another method: 405, pointing
			// to the port that has the API's description.
			await c.write(request('DELETE', '/api/v1/device', { token }));
			problem(await c.answer(), 405, 'method-not-allowed', /main port/);
			// The main port's paths are 404 whatever the method: this
			// port does not tell which exist there.
			await c.write(request('DELETE', '/api/v1/incidents', { token }));
			problem(await c.answer(), 404, 'not-found', /device routes only/);
			await c.write(request('GET', '/api/v1/incidents', { token }));
			problem(await c.answer(), 404, 'not-found', /device routes only/);
			c.close();
		});

		test('a client that reads its answers only later gets every one of them, whole and in order', async () => {
			// Far more answers than the sockets' buffers hold: the server
			// must stop reading requests while its answers wait, not
			// pile them up (and cut them short at its buffer's limit).
			const c = await connect(base);
			c.pause();
			const n = 30000;
			const one = 'GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n';
			const sent = c.write(one.repeat(n) + self());
			await sleep(2000);
			c.resume();
			for (let i = 0; i < n; i++) {
				const a = await c.answer();
				assert.ok(a, `the connection ended after ${i} answers`);
				assert.equal(a.status, 404, `answer ${i}: ${a.status} ${a.body}`);
				assert.equal(a.json.instance, '/nowhere');
			}
			assert.equal((await c.answer()).status, 200);
			await sent;
			c.close();
		});

		test('clients that hang up as soon as their closing decision is answered', async () => {
			// The resuming thread queues the connection back to its
			// worker to be closed while the peer's hang-up is an event
			// of the same epoll batch: the worker closed it from the
			// queue, then served the freed connection for the event
			// (the server crashed within a few hundred).
			let answered = 0;
			const one = async () => {
				const c = await connect(base);
				await c.write(decide({ headers: { Connection: 'close' } }));
				const a = await c.answer();
				c.close();
				if (a?.json?.decision === 'deny') answered++;
			};
			// Five at a time: the plain server takes 12 from an address,
			// and the last round's may not all be closed yet.
			for (let round = 0; round < 80; round++)
				await Promise.all(Array.from({ length: 5 }, one));
			assert.equal(answered, 400);
			const c = await connect(base);
			await c.write(self());
			assert.equal((await c.answer()).status, 200);
			c.close();
		});

		test('pipelined decisions that fill the input buffer exactly are all answered', async () => {
			// The buffer holds a head and the largest device route's
			// body: 8 KiB + 2 KiB (alarms).  Requests of 640 bytes fill
			// it exactly, so that reads end with a whole decision while
			// the rest waits in the socket, with no edge to come: each
			// answer must bring the connection back to read it.
			const sized = (_, i) => {
				const body = decision(`NOBADGE-${String(i).padStart(6, '0')}`);
				const make = (pad) => request('POST', '/api/v1/access/decisions',
					{ token, body, headers: { 'X-Pad': pad } });
				const r = make('p'.repeat(640 - Buffer.byteLength(make(''))));
				assert.equal(Buffer.byteLength(r), 640);
				return r;
			};
			const c = await connect(base);
			const n = 64;
			await c.write(Array.from({ length: n }, sized).join(''));
			for (let i = 0; i < n; i++) {
				const a = await c.answer(15000);
				assert.equal(a?.json?.decision, 'deny', `answer ${i}: ${a?.status} ${a?.body}`);
			}
			c.close();
		});

		test('a client that leaves while its decision waits does not disturb the others', async () => {
			for (let i = 0; i < 10; i++) {
				const c = await connect(base);
				await c.write(decide() + decide());
				c.close();
			}
			const c = await connect(base);
			await c.write(decide() + self());
			assert.equal((await c.answer()).json?.decision, 'deny');
			assert.equal((await c.answer()).status, 200);
			c.close();
		});
	});
}

suite('device listener over TLS', async () => {
	const { deviceBase } = await server();
	return { base: deviceBase, ...await gateSetup() };
});

describe('device listener over plain HTTP, with a limit of connections per address', () => {
	let own;
	after(async () => { await own?.stop(); });
	suite('plain HTTP', async () => {
		own = await ownDemo(['--plain-http', '--device-listen', '127.0.0.1:0',
			'--max-per-address', '12'], 'http');
		// The demo's own users and data, in a directory of its own.
		const adm = await ownLogin(own.base, 'admin');
		const rso = await ownLogin(own.base, 'rso');
		const posts = await ownCall(own.base, rso, 'GET', '/api/v1/posts');
		const postId = posts.json.items[0].id;
		const d = await ownCall(own.base, adm, 'POST', '/api/v1/devices',
			{ name: uniq('API devport reader'), post_id: postId });
		assert.equal(d.status, 201, JSON.stringify(d.json));
		const z = await ownCall(own.base, rso, 'GET', `/api/v1/posts/${postId}/zones`);
		const zones = Object.fromEntries(z.json.items.map((x) => [x.name, x.id]));
		const p = await ownCall(own.base, rso, 'POST', '/api/v1/access/points', {
			post_id: postId, name: uniq('API devport door'), from_zone_id: zones['Compound perimeter'],
			to_zone_id: zones['Chancery ground floor'],
		});
		assert.equal(p.status, 201, JSON.stringify(p.json));
		return { base: own.deviceBase, token: d.json.token, point: p.json.id };
	});

	test('a head sent a byte at a time is cut off at the timeout (30 s), not kept while bytes trickle in', async () => {
		const c = await connect(own.deviceBase);
		const started = Date.now();
		const head = `GET /api/v1/device HTTP/1.1\r\nHost: a\r\n${'X-Slow: a\r\n'.repeat(20)}`;
		for (let i = 0; i < head.length && !c.ended && Date.now() - started < 45000; i++) {
			await c.write(head[i]);
			await sleep(1000);
		}
		const after = (Date.now() - started) / 1000;
		assert.ok(c.ended, `still open after ${after} s`);
		assert.ok(after > 25, `closed after ${after} s only`);
		c.close();
	});

	test('the per-address limit: the connection past it is closed at once', async () => {
		const cs = [];
		await sleep(500); // the suite's connections closed by now
		for (let i = 0; i < 12; i++) cs.push(await connect(own.deviceBase));
		await sleep(300);
		assert.deepEqual(cs.map((c) => c.ended), cs.map(() => false), 'the 12 are taken');
		const extra = await connect(own.deviceBase);
		assert.ok(await extra.closedWithin(3000), 'the 13th connection stays open');
		// The others still work; one closed makes room again.
		await cs[0].write('GET /api/v1/device HTTP/1.1\r\nHost: a\r\n\r\n');
		problem(await cs[0].answer(), 401, 'unauthenticated');
		cs.pop().close();
		await sleep(300);
		const again = await connect(own.deviceBase);
		await again.write('GET /api/v1/device HTTP/1.1\r\nHost: a\r\n\r\n');
		problem(await again.answer(), 401, 'unauthenticated');
		again.close();
		for (const c of cs) c.close();
	});
});

// The own demo's session (plain HTTP, so the cookie is not __Host-).
async function ownLogin(base, username) {
	const r = await fetch(`${base}/api/v1/auth/login`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password: `${username}-demo-passphrase` }),
	});
	const json = await r.json();
	assert.equal(r.status, 200, JSON.stringify(json));
	return { cookie: r.headers.getSetCookie()[0].split(';')[0], csrf: json.csrf_token };
}

async function ownCall(base, s, method, path, body) {
	const headers = { Cookie: s.cookie };
	if (method !== 'GET') headers['X-CSRF-Token'] = s.csrf;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const r = await fetch(`${base}${path}`, {
		method, headers, body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: r.status, json: await r.json().catch(() => null) };
}
