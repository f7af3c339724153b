// openapi.test.mjs — the OpenAPI 3.1 document against the route table in
// src/http/routes.c and against the server's behaviour: every route is
// documented and every documented operation exists, declares its permission,
// is enforced for exactly the roles it names, and refuses bodies over its
// documented size.  Also /metrics.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import {
	api, assertProblem, demoPost, get, hqAdmin, login, newPerson, REPO, ROLES, server,
} from './harness.mjs';

before(server);

// The route table, read from the source: { method, path, perm, maxBody }.
function routeTable() {
	const src = readFileSync(join(REPO, 'src/http/routes.c'), 'utf8');
	const table = src.slice(src.indexOf('routes[] = {'));
	const re = /\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*(\w+),\s*(CH_PERM_\w+),\s*(NULL|"[^"]*"),\s*([^,]+),/g;
	const routes = [];
	for (const m of table.matchAll(re)) {
		const size = m[6].trim();
		const kb = /^(\d+)\s*\*\s*KB$/.exec(size);
		routes.push({
			method: m[1], path: m[2], handler: m[3],
			perm: m[4].slice('CH_PERM_'.length).toLowerCase().replace(/_([a-z]+)$/, '.$1'),
			audit: m[5] === 'NULL' ? null : m[5].slice(1, -1),
			maxBody: kb ? Number(kb[1]) * 1024 : Number(size),
		});
	}
	return routes.filter((r) => r.perm !== 'device');
}

let doc;
// Every operation for users; routes only device tokens reach (x-permission
// "device", no role holds it) are checked in devices.test.mjs.
const ops = () => Object.entries(doc.paths).flatMap(([path, item]) =>
	Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
	.filter((o) => o.op['x-permission'] !== 'device');

// Real ids for {id}, per path.
let ids;
async function realPath(path) {
	if (!ids) {
		const admin = await login('admin');
		const users = await get(admin, '/api/v1/users');
		ids = {
			posts: await demoPost(),
			people: (await newPerson()).id,
			users: users.json.items.find((u) => u.username === 'guard').id,
			devices: (await api(admin, 'POST', '/api/v1/devices',
				{ name: 'openapi probe', post_id: await demoPost() })).json.id,
			incidents: (await api(await login('rso'), 'POST', '/api/v1/incidents', {
				post_id: await demoPost(), type: 'other', category: 'crime', severity: 'Minor',
				title: 'API test probe incident', occurred_at: new Date(Date.now() - 60e3).toISOString(),
				classification: 'UNCLASSIFIED', tlp: 'CLEAR',
			})).json.id,
			risks: (await get(await login('rso'), `/api/v1/posts/${await demoPost()}/risks`)).json.items[0].id,
		};
		// Intelligence: the first demo record of each collection.
		for (const coll of ['reports', 'sources', 'actors', 'places'])
			ids[`intel/${coll}`] = (await get(await login('rso'), `/api/v1/intel/${coll}`)).json.items[0].id;
		// Access control's records live under /api/v1/access/.
		ids['access/credentials'] = (await api(admin, 'POST', '/api/v1/access/credentials', {
			post_id: await demoPost(), badge: `PROBE-${ids.people}`, person_id: ids.people,
		})).json.id;
		const probeDevice = await api(admin, 'POST', '/api/v1/devices',
			{ name: 'openapi probe sensor', post_id: await demoPost() });
		ids['access/alarms'] = (await api(null, 'POST', '/api/v1/access/alarms', { kind: 'tamper' },
			{ Authorization: `Bearer ${probeDevice.json.token}` })).json.id;
		ids['access/rules'] = (await api(admin, 'POST', '/api/v1/access/rules', {
			post_id: await demoPost(), effect: 'deny', subject: 'person', subject_value: ids.people,
			note: 'openapi probe',
		})).json.id;
		// Watchlist screening: a global list, a lookout entry and a hit.
		const hq = await hqAdmin();
		ids.watchlists = (await api(hq, 'POST', '/api/v1/watchlists', {
			name: `API test probe list ${Date.now()}`, source: 'custom',
		})).json.id;
		const lookout = await api(await login('rso'), 'POST', `/api/v1/posts/${ids.posts}/lookout`, {
			name: 'Probeson, Lookout', reason: 'openapi probe', seriousness: 'low',
		});
		ids.lookout = lookout.json.id;
		const screened = await api(await login('guard'), 'POST', '/api/v1/screenings', {
			post_id: ids.posts, name: 'Lookout Probeson',
		});
		ids.hits = screened.json.hits[0].id;
		// Visitors: one registered by its host.
		ids.visitors = (await api(await login('staff'), 'POST', '/api/v1/visitors', {
			post_id: ids.posts, name: 'Probe Visitor', purpose: 'openapi probe',
			arrival: new Date().toISOString(), departure: new Date(Date.now() + 3600e3).toISOString(),
		})).json.id;
	}
	if (path.includes('{evidence_id}') && !ids.evidence) {
		const r = await api(await login('rso'), 'POST', `/api/v1/incidents/${ids.incidents}/evidence?name=probe.txt`,
			'probe', { 'Content-Type': 'text/plain' });
		assert.equal(r.status, 201, r.text);
		ids.evidence = r.json.id;
	}
	return path.replace(/^\/api\/v1\/((?:intel\/|access\/)?\w+)\/\{id\}/, (_, coll) => {
		assert.ok(ids[coll], `no id for ${coll}`);
		return `/api/v1/${coll}/${ids[coll]}`;
	}).replace('{evidence_id}', () => ids.evidence);
}

// A request for an operation that changes nothing: writes get an empty
// object (rejected by validation) or, for PATCH /people, no If-Match (428);
// logout is sent with a throwaway session.
async function probe(session, method, path, op) {
	const body = op.requestBody ? {} : undefined;
	if (op.responses['200']?.content?.['text/event-stream']) {
		// A stream does not end: take its status and headers, then hang up.
		const ctl = new AbortController();
		const res = await fetch(`${(await server()).base}${path}`, {
			headers: session ? { Cookie: session.cookie } : {}, signal: ctl.signal,
		});
		const text = res.ok ? '' : await res.text();
		ctl.abort();
		return { status: res.status, text, json: text ? JSON.parse(text) : null };
	}
	if (path === '/api/v1/auth/logout') session = await login(session.username, { fresh: true });
	if (path === '/api/v1/auth/sessions/{id}') {
		// End a throwaway session of the same user.
		const other = await login(session.username, { fresh: true });
		const mine = await get(other, '/api/v1/auth/sessions');
		const id = mine.json.items.find((x) => x.current).id;
		return api(session, method, `/api/v1/auth/sessions/${id}`, body);
	}
	return api(session, method, await realPath(path), body);
}

before(async () => {
	const r = await get(await login('rso'), '/api/v1/openapi.json');
	assert.equal(r.status, 200, r.text);
	doc = r.json;
});

describe('the document', () => {
	test('is OpenAPI 3.1, needs a session, and names the session cookie', async () => {
		assertProblem(await get(null, '/api/v1/openapi.json'), 401, 'unauthenticated');
		assert.equal(doc.openapi, '3.1.0');
		assert.equal(doc.info.title, 'Chancery API');
		assert.equal(typeof doc.info.version, 'string');
		assert.deepEqual(doc.components.securitySchemes.session,
			{ type: 'apiKey', in: 'cookie', name: '__Host-chancery_session' });
		assert.ok(doc.components.schemas.Problem);
		// Readable by every role.
		const staff = await get(await login('staff'), '/api/v1/openapi.json');
		assert.equal(staff.status, 200);
		assert.deepEqual(staff.json, doc);
	});

	test('documents exactly the routes of src/http/routes.c', () => {
		const table = routeTable();
		assert.ok(table.length >= 20, `parsed ${table.length} routes from routes.c`);
		const inSource = table.map((r) => `${r.method} ${r.path}`).sort();
		const inDoc = ops().map((o) => `${o.method} ${o.path}`).sort();
		assert.deepEqual(inDoc, inSource);
	});

	test('every operation declares x-permission, x-roles, a summary and responses', () => {
		const table = new Map(routeTable().map((r) => [`${r.method} ${r.path}`, r]));
		for (const { path, method, op } of ops()) {
			const what = `${method} ${path}`;
			const route = table.get(what);
			assert.equal(typeof op['x-permission'], 'string', what);
			assert.notEqual(op['x-permission'], 'none', what);
			assert.equal(op['x-permission'], route.perm, what);
			assert.ok(Array.isArray(op['x-roles']) && op['x-roles'].length > 0, what);
			assert.ok(op['x-roles'].every((r) => Object.values(ROLES).includes(r)), what);
			assert.ok(op.summary && op.summary.length > 3, what);
			assert.ok(Array.isArray(op.tags) && op.tags.length === 1, what);
			assert.ok(Object.keys(op.responses).some((c) => /^2\d\d$/.test(c)), what);
			assert.equal(op['x-audit-action'] ?? null, route.audit, what);
			if (op['x-permission'] === 'public') assert.deepEqual(op.security, [], what);
			else {
				assert.ok(op.responses['401'] && op.responses['403'], what);
				assert.equal(op.security, undefined, `${what} uses the document's session security`);
			}
			for (const name of path.match(/\{(\w+)\}/g) ?? []) {
				const p = op.parameters?.find((x) => `{${x.name}}` === name && x.in === 'path');
				assert.ok(p && p.required === true, `${what} documents ${name}`);
			}
		}
	});

	test('the permission matrix is the one the design gives', () => {
		const roles = (perm) => [...new Set(ops().filter((o) => o.op['x-permission'] === perm)
			.map((o) => JSON.stringify([...o.op['x-roles']].sort())))].map((x) => JSON.parse(x));
		const all = Object.values(ROLES).sort();
		assert.deepEqual(roles('people.read'),
			[['administrator', 'analyst', 'eac_member', 'guard', 'hq', 'security_officer']]);
		assert.deepEqual(roles('people.write'), [['administrator', 'security_officer']]);
		assert.deepEqual(roles('users.read'), [['administrator', 'security_officer']]);
		assert.deepEqual(roles('users.write'), [['administrator']]);
		assert.deepEqual(roles('metrics'), [['administrator', 'security_officer']]);
		assert.deepEqual(roles('posts.write'), [['administrator', 'security_officer']]);
		assert.deepEqual(roles('posts.read'), [all]);
		assert.deepEqual(roles('session'), [all]);
	});

	test('request bodies: a closed schema per route, the same limits as the table', () => {
		const table = new Map(routeTable().map((r) => [`${r.method} ${r.path}`, r]));
		for (const { path, method, op } of ops()) {
			const what = `${method} ${path}`;
			const route = table.get(what);
			assert.equal(op['x-max-body-bytes'] ?? 0, route.maxBody, what);
			if (!op.requestBody) continue;
			if (!op.requestBody.content['application/json']) {
				// A file upload: the body is the file, in one of its types.
				assert.ok(Object.keys(op.requestBody.content).includes('image/jpeg'), what);
				continue;
			}
			const ref = op.requestBody.content['application/json'].schema.$ref;
			const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
			assert.ok(schema, `${what}: ${ref}`);
			assert.equal(schema.type, 'object', what);
			assert.equal(schema.additionalProperties, false, what);
			assert.ok(op.responses['422'], what);
		}
		const pc = doc.components.schemas.PersonCreate;
		assert.deepEqual([...pc.required].sort(),
			['category', 'family_name', 'given_name', 'nationality', 'post_id']);
		assert.equal(pc.properties.nationality.maxLength, 2);
		assert.equal(pc.properties.arrived_on.format, 'date');
		assert.deepEqual(pc.properties.arrived_on.type, ['string', 'null']);
		assert.ok(pc.properties.category.enum.includes('diplomatic_agent'));
		assert.deepEqual(doc.components.schemas.PersonUpdate.required, []);
		const list = ops().find((o) => o.method === 'GET' && o.path === '/api/v1/people').op;
		assert.deepEqual(list.parameters.map((p) => p.name).sort(),
			['category', 'cursor', 'host_national', 'limit', 'post_id', 'q']);
	});

	test('x-problem-types lists the core problem types with their status', () => {
		for (const t of doc['x-problem-types'])
			assert.equal(t.type, `https://chancery.invalid/problems/${t.slug}`, 'type is the URI problems carry');
		const types = Object.fromEntries(doc['x-problem-types'].map((t) => [t.slug, t.status]));
		for (const [slug, status] of Object.entries({
			validation: 422, 'not-found': 404, conflict: 409, 'stale-version': 412, forbidden: 403,
			unauthenticated: 401, 'body-too-large': 413, internal: 500,
		})) assert.equal(types[slug], status, slug);
	});

	test('x-problem-types lists every problem type the API answers with', async () => {
		// Types these tests see the server send (see auth, people, validation).
		const seen = ['csrf', 'cross-site', 'bad-credentials', 'malformed-json', 'body-required',
			'unsupported-media-type', 'method-not-allowed', 'bad-query', 'bad-cursor',
			'if-match-required', 'bad-if-match'];
		const documented = new Set(doc['x-problem-types'].map((t) => t.slug));
		const missing = seen.filter((t) => !documented.has(t));
		assert.deepEqual(missing, [], `problem types a client may meet but cannot look up: ${missing.join(', ')}`);
	});
});

describe('the document against the server', () => {
	test('every documented operation exists (no 404/405) for its method', async () => {
		// The administrator holds every permission but the incident
		// workflow's (the security officer's and analysts'), so the probe
		// goes as admin where admin may, else as rso.
		const admin = await login('admin');
		const rso = await login('rso');
		for (const { path, method, op } of ops()) {
			const who = op['x-roles'].includes('administrator') ? admin : rso;
			assert.ok(op['x-roles'].includes(who === admin ? 'administrator' : 'security_officer'),
				`${method} ${path}: admin or rso may call it`);
			const r = await probe(who, method, path, op);
			assert.ok(![404, 405, 401, 403].includes(r.status), `${method} ${path}: ${r.status} ${r.text}`);
			assert.ok(r.status < 500, `${method} ${path}: ${r.status} ${r.text}`);
		}
	});

	test('each role is refused exactly where x-roles leaves it out', async () => {
		const mismatches = [];
		for (const { path, method, op } of ops()) {
			for (const [username, role] of Object.entries(ROLES)) {
				const r = await probe(await login(username), method, path, op);
				const refused = r.status === 403 && r.json?.type?.endsWith('/forbidden');
				// x-own-record: a user linked to a person reaches the route
				// for their own record (the demo staff user is); the record
				// check then answers 404 for anyone else's.
				const expected = op['x-roles'].includes(role) || op['x-own-record'] === true;
				if (refused === expected)
					mismatches.push(`${method} ${path} as ${username}: ${r.status}`);
			}
		}
		assert.deepEqual(mismatches, []);
	});

	test('a body one byte over x-max-body-bytes answers 413; at the limit it is read', async () => {
		const admin = await login('admin');
		for (const { path, method, op } of ops()) {
			const max = op['x-max-body-bytes'];
			// File uploads answer before the body (evidence.test.mjs).
			if (!max || !op.requestBody?.content['application/json']) continue;
			const url = await realPath(path);
			const padded = (n) => `{}${' '.repeat(n - 2)}`;
			const over = await api(admin, method, url, padded(max + 1));
			assertProblem(over, 413, 'body-too-large');
			if (path === '/api/v1/auth/logout') continue;
			const at = await api(path.endsWith('/login') ? null : admin, method, url, padded(max));
			assert.ok(at.status !== 413 && at.status < 500, `${method} ${path} at ${max}: ${at.status} ${at.text}`);
		}
	});
});

describe('metrics', () => {
	const counter = (text, route, method, status) => {
		const m = new RegExp(`^chancery_http_requests_total\\{route="${route.replace(/[/{}.]/g, '\\$&')}",method="${method}",status="${status}"\\} (\\d+)$`, 'm').exec(text);
		return m ? Number(m[1]) : 0;
	};

	test('GET /metrics as rso: Prometheus text with request and database counters', async () => {
		const rso = await login('rso');
		const r = await get(rso, '/metrics');
		assert.equal(r.status, 200);
		assert.match(r.type, /^text\/plain; version=0\.0\.4/);
		assert.match(r.text, /^# TYPE chancery_http_requests_total counter$/m);
		assert.match(r.text, /^chancery_http_requests_total\{route="[^"]+",method="[A-Z]+",status="\d{3}"\} \d+$/m);
		const q = /^chancery_db_queries_total (\d+)$/m.exec(r.text);
		assert.ok(q && Number(q[1]) > 0, 'database queries were counted');
		assert.match(r.text, /^# TYPE chancery_http_request_duration_seconds histogram$/m);
		assert.match(r.text, /^chancery_http_request_duration_seconds_bucket\{route="\/api\/v1\/people",le="\+Inf"\} \d+$/m);
		// Labels are route patterns, never raw paths with ids.
		assert.doesNotMatch(r.text, /route="\/api\/v1\/people\/[0-9a-f]{8}-/);
	});

	test('request counters count by route pattern, method and status', async () => {
		const rso = await login('rso');
		const before = counter((await get(rso, '/metrics')).text, '/api/v1/people/{id}', 'GET', '404');
		await get(rso, '/api/v1/people/01a2148a-0000-7000-8000-000000000000');
		let after = before;
		for (let i = 0; i < 20 && after < before + 1; i++) {
			after = counter((await get(rso, '/metrics')).text, '/api/v1/people/{id}', 'GET', '404');
			if (after < before + 1) await new Promise((r) => setTimeout(r, 50));
		}
		assert.equal(after, before + 1);
	});

	test('metrics are for rso and admin only', async () => {
		assert.equal((await get(await login('admin'), '/metrics')).status, 200);
		for (const u of ['analyst', 'guard', 'staff', 'eac', 'hq'])
			assertProblem(await get(await login(u), '/metrics'), 403, 'forbidden');
		assertProblem(await get(null, '/metrics'), 401, 'unauthenticated');
	});
});
