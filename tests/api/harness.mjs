// tests/api/harness.mjs — the server under test and small HTTP helpers for the
// API tests (node's built-in runner, no npm packages):
//
//   CH_BIN=build/chancery node --test --test-concurrency=1 tests/api/
//   CH_TEST_DSN=postgresql://... CH_BIN=... node --test --test-concurrency=1 tests/api/
//
// One server per run.  `node --test` runs every test file in a child process of
// its own; all of them share one `chancery demo` server, started by whichever
// file asks first.  Why: with CH_TEST_DSN the demo is made only once per
// database (only when no post is named "Embassy in Nairobi"), so servers of
// several files would share the data anyway; one server makes SQLite and
// PostgreSQL runs see the same state, and starts the demo once (fast).
//
// How: the run is identified by the runner's pid (process.ppid under
// `node --test`, detected by NODE_TEST_CONTEXT; this process's own pid when a
// file is run alone with `node FILE`).  The first file to call server() makes
// the directory $TMPDIR/chancery-api-<runner pid> (mkdir is atomic: the lock)
// and starts a detached keeper (this file with --keeper), which:
//   - makes a temp dir and runs
//       $CH_BIN demo --dir TMP [--db $CH_TEST_DSN] --listen 127.0.0.1:0
//                    --port-file TMP/port --quiet      (output to TMP/server.log)
//   - waits up to 30 s for TMP/port, then writes server.json (base URL, paths)
//     into the lock directory, or error.txt with the log's tail;
//   - watches the runner: when it exits (normally or not), stops the server
//     (SIGTERM, then SIGKILL) and removes both directories (CH_KEEP_TMP=1
//     keeps the server's directory and log for a post-mortem).
// Later files find server.json and use the same server.
//
// Because the server is shared, test files must not depend on each other's
// writes: people the tests create in the demo post carry a position starting
// with TEST_POSITION, and the demo post's zones and demo people are never
// changed; other changes happen in posts and users the tests create.
//
// The server's certificate is self-signed: NODE_TLS_REJECT_UNAUTHORIZED=0 is
// set below, before any fetch, in the test processes only.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
	appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync,
	rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CH_BIN = process.env.CH_BIN || '/work/main/build/chancery';
export const DSN = process.env.CH_TEST_DSN || '';
export const ENGINE = DSN ? 'postgresql' : 'sqlite';
export const PROBLEM_BASE = 'https://chancery.invalid/problems/';
export const TEST_POSITION = 'API test fixture';
export const DEMO_POST = 'Embassy in Nairobi';
export const DEMO_PEOPLE = 61;
export const ROLES = {
	rso: 'security_officer', analyst: 'analyst', guard: 'guard', staff: 'staff',
	eac: 'eac_member', hq: 'hq', admin: 'administrator',
};

const START_TIMEOUT_MS = 30000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
};
const tail = (file, n = 30) => {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
	} catch {
		return '(no log)';
	}
};

// ---- the keeper (a detached process of its own) ---------------------------------

async function keeper(runnerPid, lockDir) {
	const dir = mkdtempSync(join(tmpdir(), 'chancery-api-srv-'));
	const log = join(dir, 'server.log');
	const portFile = join(dir, 'port');
	const fd = openSync(log, 'a');
	const args = ['demo', '--dir', dir, '--listen', '127.0.0.1:0', '--port-file', portFile,
		'--device-listen', '127.0.0.1:0', '--quiet'];
	if (DSN) args.splice(3, 0, '--db', DSN);
	const child = spawn(CH_BIN, args, { stdio: ['ignore', fd, fd] });
	closeSync(fd);
	let exited = null;
	child.on('exit', (code, sig) => { exited = sig || String(code); });
	child.on('error', (e) => { exited = e.message; });
	const fail = (why) => {
		writeFileSync(join(lockDir, 'error.txt'),
			`${why}\ncommand: ${CH_BIN} ${args.join(' ')}\nlast lines of ${log}:\n${tail(log)}\n`);
	};
	const deadline = Date.now() + START_TIMEOUT_MS;
	let port = '';
	while (!port) {
		if (exited !== null) {
			fail(`chancery exited (${exited}) before it wrote its port`);
			break;
		}
		if (Date.now() > deadline) {
			fail(`chancery wrote no port file within ${START_TIMEOUT_MS / 1000} s`);
			break;
		}
		try {
			// The main port, then the device listener's, each on a line.
			const lines = readFileSync(portFile, 'utf8').split('\n');
			if (lines.length === 3) port = lines.slice(0, 2);
		} catch { /* not yet */ }
		if (!port) await sleep(50);
	}
	if (port) {
		const info = {
			base: `https://127.0.0.1:${port[0]}`, deviceBase: `https://127.0.0.1:${port[1]}`, dir, log,
			pid: child.pid, engine: ENGINE,
		};
		writeFileSync(join(lockDir, 'server.json.tmp'), JSON.stringify(info));
		renameSync(join(lockDir, 'server.json.tmp'), join(lockDir, 'server.json'));
	}
	while (alive(runnerPid)) {
		if (exited !== null && port && !existsSync(join(lockDir, 'error.txt')))
			fail(`chancery exited (${exited}) while the tests ran`);
		await sleep(200);
	}
	if (exited === null) {
		child.kill('SIGTERM');
		for (let i = 0; i < 30 && exited === null; i++) await sleep(100);
		if (exited === null) child.kill('SIGKILL');
	}
	if (!process.env.CH_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
	rmSync(lockDir, { recursive: true, force: true });
	process.exit(0);
}

if (process.argv[1] === HERE && process.argv[2] === '--keeper') {
	await keeper(Number(process.argv[3]), process.argv[4]);
}

// ---- the server, as the tests see it --------------------------------------------

let serverPromise = null;

async function findOrStart() {
	const runner = process.env.NODE_TEST_CONTEXT ? process.ppid : process.pid;
	const lockDir = join(tmpdir(), `chancery-api-run-${runner}`);
	for (let attempt = 0; attempt < 2; attempt++) {
		let mine = false;
		try {
			mkdirSync(lockDir);
			mine = true;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
		}
		if (mine) {
			const env = { ...process.env };
			delete env.NODE_TEST_CONTEXT;
			const k = spawn(process.execPath, [HERE, '--keeper', String(runner), lockDir], {
				detached: true, stdio: 'ignore', env,
			});
			writeFileSync(join(lockDir, 'keeper.pid'), String(k.pid));
			k.unref();
		}
		const deadline = Date.now() + START_TIMEOUT_MS + 5000;
		while (Date.now() < deadline) {
			if (existsSync(join(lockDir, 'error.txt')))
				throw new Error(`the chancery server did not start:\n${readFileSync(join(lockDir, 'error.txt'), 'utf8')}`);
			if (existsSync(join(lockDir, 'server.json')))
				return JSON.parse(readFileSync(join(lockDir, 'server.json'), 'utf8'));
			// A lock left by a keeper that died: take it over once.
			let kpid = 0;
			try { kpid = Number(readFileSync(join(lockDir, 'keeper.pid'), 'utf8')); } catch { /* */ }
			if (!mine && kpid && !alive(kpid)) break;
			await sleep(50);
		}
		if (mine) throw new Error(`no server within ${START_TIMEOUT_MS / 1000} s (lock ${lockDir})`);
		rmSync(lockDir, { recursive: true, force: true });
	}
	throw new Error(`could not start or find the test server (lock ${lockDir})`);
}

// ---- secrets the run has used ----------------------------------------------------
//
// Every password sent, session token and CSRF token received is kept, so that
// no error body may echo one (checked in api() below) and, at the end of the
// run, no line of the server's log may contain one (zz_secrets.test.mjs).
const seenSecrets = new Set();

function runLockDir() {
	const runner = process.env.NODE_TEST_CONTEXT ? process.ppid : process.pid;
	return join(tmpdir(), `chancery-api-run-${runner}`);
}

function remember(secret) {
	if (typeof secret !== 'string' || secret.length < 8 || seenSecrets.has(secret)) return;
	seenSecrets.add(secret);
	try { appendFileSync(join(runLockDir(), 'secrets.txt'), `${secret}\n`); } catch { /* no run dir */ }
}

// Every secret any test process of this run has used.
export function runSecrets() {
	try {
		return readFileSync(join(runLockDir(), 'secrets.txt'), 'utf8').split('\n').filter(Boolean);
	} catch {
		return [];
	}
}

// The shared server: { base, deviceBase, dir, log, pid, engine }.
export async function server() {
	serverPromise ??= findOrStart().then(async (info) => {
		// It wrote its port after listening; check it answers.
		const r = await fetch(`${info.base}/healthz`).catch((e) => e);
		if (!(r instanceof Response) || r.status !== 200)
			throw new Error(`the server at ${info.base} does not answer /healthz (${r.status ?? r.message}):\n${tail(info.log)}`);
		// The watchlist index is built after start (slowly under the
		// sanitizers): screening answers 503 until it is ready.
		for (let i = 0; ; i++) {
			const h = await (await fetch(`${info.base}/healthz`)).json();
			if (h.screening !== 'building') break;
			if (i > 6000) throw new Error(`the screening index was not built in 10 minutes:\n${tail(info.log)}`);
			await new Promise((res) => setTimeout(res, 100));
		}
		return info;
	});
	return serverPromise;
}

export async function base() {
	return (await server()).base;
}

// ---- HTTP helpers -----------------------------------------------------------------

// One request.  session: null or {cookie, csrf}.  body: undefined (none), a
// string (sent as is), or anything else (sent as JSON).  Content-Type is
// application/json when there is a body; headers override the defaults, and a
// header given as null is not sent.  Writes with a session carry its CSRF token.
// Returns { status, headers, json, text, problem }.
export async function api(session, method, path, body, headers = {}) {
	return call(await base(), session, method, path, body, headers);
}

// The same request to the device listener (serve --device-listen): the
// device routes only, device tokens only.
export async function deviceApi(method, path, body, headers = {}) {
	return call((await server()).deviceBase, null, method, path, body, headers);
}

async function call(root, session, method, path, body, headers) {
	const url = `${root}${path}`;
	const h = {};
	if (session) h.Cookie = session.cookie;
	if (session && !['GET', 'HEAD'].includes(method)) h['X-CSRF-Token'] = session.csrf;
	let payload;
	if (body !== undefined) {
		payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
		h['Content-Type'] = 'application/json';
		if (body && typeof body === 'object' && !(body instanceof Uint8Array)) remember(body.password);
	}
	for (const [k, v] of Object.entries(headers)) {
		for (const existing of Object.keys(h))
			if (existing.toLowerCase() === k.toLowerCase()) delete h[existing];
		if (v !== null && v !== undefined) h[k] = v;
	}
	const init = { method, headers: h, body: payload, redirect: 'manual' };
	if (payload instanceof ReadableStream) init.duplex = 'half';
	const res = await fetch(url, init);
	const text = await res.text();
	const type = res.headers.get('content-type') || '';
	let json = null;
	if (type.includes('json') && text.length > 0) json = JSON.parse(text);
	if (json && typeof json.csrf_token === 'string') remember(json.csrf_token);
	for (const c of res.headers.getSetCookie())
		remember(c.split(';')[0].split('=').slice(1).join('='));
	if (type.startsWith('application/problem+json'))
		for (const secret of seenSecrets)
			assert.ok(!text.includes(secret), `an error body echoes a secret: ${text}`);
	return {
		status: res.status, headers: res.headers, json, text, type, path: path.split('?')[0],
		setCookie: res.headers.getSetCookie(),
	};
}

// Check an RFC 9457 answer: status, media type, type URI, title, status
// member, instance (the path), request_id (= X-Request-Id), and optionally the
// detail (a string: equal; a RegExp: matches) and errors[0].field.
export function assertProblem(r, status, slug, detail, field) {
	const what = `${r.status} ${r.text}`;
	assert.equal(r.status, status, what);
	assert.match(r.type, /^application\/problem\+json/, what);
	assert.equal(r.json.type, PROBLEM_BASE + slug, what);
	assert.equal(r.json.status, status, what);
	assert.equal(typeof r.json.title, 'string', what);
	assert.ok(r.json.title.length > 0, what);
	assert.equal(typeof r.json.detail, 'string', what);
	assert.equal(r.json.instance, r.path, what);
	assert.equal(r.json.request_id, r.headers.get('x-request-id'), what);
	if (typeof detail === 'string') assert.equal(r.json.detail, detail, what);
	else if (detail instanceof RegExp) assert.match(r.json.detail, detail, what);
	if (field !== undefined) {
		assert.ok(Array.isArray(r.json.errors), `errors[] in ${what}`);
		assert.equal(r.json.errors.length, 1, what);
		assert.equal(r.json.errors[0].field, field, what);
		assert.equal(r.json.errors[0].detail, r.json.detail, what);
	}
	return r.json;
}

export const get = (s, path, headers) => api(s, 'GET', path, undefined, headers);

const sessions = new Map();

// Sign in as a demo user (password <username>-demo-passphrase) or any user
// with opts.password.  Sessions are cached per process unless opts.fresh.
// Returns { cookie, csrf, user, username }.
export async function login(username, opts = {}) {
	if (!opts.fresh && !opts.password && sessions.has(username)) return sessions.get(username);
	const password = opts.password ?? `${username}-demo-passphrase`;
	const r = await api(null, 'POST', '/api/v1/auth/login', { username, password });
	if (r.status !== 200)
		throw new Error(`login ${username}: ${r.status} ${r.text}`);
	const set = r.setCookie.find((c) => c.startsWith('__Host-chancery_session='));
	if (!set) throw new Error(`login ${username}: no session cookie in ${JSON.stringify(r.setCookie)}`);
	const s = {
		username, cookie: set.split(';')[0], csrf: r.json.csrf_token, user: r.json.user,
		setCookie: set,
	};
	if (!opts.fresh && !opts.password) sessions.set(username, s);
	return s;
}

// A demo post served by a test file's own server, with serve options of its
// own (short windows, plain HTTP behind a proxy, ...): {base, dir, stop()}.
// SQLite in a directory of its own, whatever the engine of the run.
export async function ownDemo(options, scheme = 'https') {
	const dir = mkdtempSync(join(tmpdir(), 'chancery-own-'));
	const child = spawn(CH_BIN, ['demo', '--dir', dir, '--listen', '127.0.0.1:0', '--port-file',
		join(dir, 'port'), '--quiet', ...options], { stdio: 'ignore' });
	let base, deviceBase;
	for (let i = 0; i < 600 && !base; i++) {
		try {
			const p = readFileSync(join(dir, 'port'), 'utf8').split('\n');
			const want = options.includes('--device-listen') ? 3 : 2;
			if (p.length === want) {
				base = `${scheme}://127.0.0.1:${p[0]}`;
				if (want === 3) deviceBase = `${scheme}://127.0.0.1:${p[1]}`;
			}
		} catch { /* not yet */ }
		if (!base) await sleep(50);
	}
	const stop = async () => {
		// The server writes into its directory until it has exited.
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await gone;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	if (!base) {
		await stop();
		throw new Error(`a demo with ${options.join(' ')} did not start`);
	}
	return { base, deviceBase, dir, stop };
}

// A unique suffix for names made by this run (a PostgreSQL database may be
// reused between runs).
export const uniq = (prefix) =>
	`${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

// The demo post, as rso sees it.
let demoPostId = null;
export async function demoPost() {
	if (demoPostId) return demoPostId;
	const r = await get(await login('rso'), '/api/v1/posts');
	const p = r.json?.items?.find((x) => x.name === DEMO_POST);
	if (!p) throw new Error(`no demo post in ${r.text}`);
	demoPostId = p.id;
	return p.id;
}

// Every person the session can see, paging with limit.
export async function allPeople(session, query = '', limit = 200) {
	const items = [];
	const pages = [];
	let cursor = null;
	for (let guard = 0; guard < 1000; guard++) {
		const qs = new URLSearchParams(query);
		qs.set('limit', String(limit));
		if (cursor) qs.set('cursor', cursor);
		const r = await get(session, `/api/v1/people?${qs}`);
		if (r.status !== 200) throw new Error(`list people: ${r.status} ${r.text}`);
		pages.push(r.json.items.length);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null) return { items, pages };
	}
	throw new Error('paging did not end');
}

// A demo person by "Given Family", as rso sees them in the list.
export async function person(fullName) {
	const { items } = await allPeople(await login('rso'));
	const p = items.find((x) => x.full_name === fullName && x.position !== TEST_POSITION);
	if (!p) throw new Error(`no demo person ${fullName}`);
	return p;
}

// A user with the hq and administrator roles: sees every post and may write
// people and posts there (no demo user can).  Made once per server, with the
// CLI: the demo administrator, bound to the demo post, may not give hq.
export const HQADMIN = { username: 'apitest-hqadmin', password: 'correct horse battery staple 7' };
export async function hqAdmin() {
	if (sessions.has(HQADMIN.username)) return sessions.get(HQADMIN.username);
	const { dir } = await server();
	const args = ['user', 'add', '--dir', dir, HQADMIN.username, '--role', 'hq,administrator',
		'--clearance', 'SECRET', '--name', 'API test HQ admin', '--password-stdin'];
	if (DSN) args.splice(4, 0, '--db', DSN);
	remember(HQADMIN.password);
	const made = spawnSync(CH_BIN, args, { input: `${HQADMIN.password}\n`, encoding: 'utf8' });
	if (made.status !== 0 && !/taken/.test(made.stderr))
		throw new Error(`make ${HQADMIN.username}: ${made.status} ${made.stderr}`);
	const s = await login(HQADMIN.username, { password: HQADMIN.password });
	sessions.set(HQADMIN.username, s);
	return s;
}

// A second post, made by hqAdmin, with one person in it.  Once per process.
let otherPost = null;
export async function secondPost() {
	if (otherPost) return otherPost;
	const s = await hqAdmin();
	const name = uniq('API test consulate');
	const r = await api(s, 'POST', '/api/v1/posts', {
		name, kind: 'consulate', country: 'TZ', city: 'Arusha', timezone: 'Africa/Dar_es_Salaam',
	});
	if (r.status !== 201) throw new Error(`make post: ${r.status} ${r.text}`);
	const p = await api(s, 'POST', '/api/v1/people', {
		post_id: r.json.id, given_name: 'Zawadi', family_name: 'Mrema', category: 'locally_employed',
		nationality: 'TZ', host_national: true, position: TEST_POSITION,
	});
	if (p.status !== 201) throw new Error(`make person: ${p.status} ${p.text}`);
	otherPost = { post: r.json, person: p.json };
	return otherPost;
}

// A new person in the demo post (position TEST_POSITION), made by rso.
export async function newPerson(fields = {}) {
	const body = {
		post_id: await demoPost(), given_name: 'Test', family_name: uniq('Person'),
		category: 'administrative_technical', nationality: 'DK', position: TEST_POSITION,
		...fields,
	};
	const r = await api(await login('rso'), 'POST', '/api/v1/people', body);
	if (r.status !== 201) throw new Error(`make person: ${r.status} ${r.text}`);
	return r.json;
}

export const today = () => new Date().toISOString().slice(0, 10);
