// risk-fixtures.mjs — for ratings.test.mjs and risks.test.mjs: a security
// officer of the tests' second post (signed in through TOTP enrolment, as
// the post's privileged rule requires), so that writes to ratings and
// risks happen in a post of the tests' own and the demo post stays as the
// demo made it.
import assert from 'node:assert/strict';

import { api, get, hqAdmin, secondPost, uniq } from './harness.mjs';
import { totp } from './totp.mjs';

const PASSWORD = 'correct horse battery staple 7';

function cookieOf(r) {
	const c = r.setCookie.find((x) => x.startsWith('__Host-chancery_session='));
	return c ? c.split(';')[0] : null;
}

let officer = null;

// { session, post, person }: the officer, the post, a person of the post.
export async function postOfficer() {
	if (officer) return officer;
	const admin = await hqAdmin();
	const { post, person } = await secondPost();
	const username = uniq('rso2').toLowerCase();
	const u = await api(admin, 'POST', '/api/v1/users', {
		username, password: PASSWORD, roles: ['security_officer'], post_id: post.id,
		clearance: 'SECRET',
	});
	assert.equal(u.status, 201, u.text);
	const r = await api(null, 'POST', '/api/v1/auth/login', { username, password: PASSWORD });
	assert.equal(r.status, 200, r.text);
	const pending = { cookie: cookieOf(r), csrf: r.json.csrf_token };
	const start = await api(pending, 'POST', '/api/v1/auth/totp/enrolment');
	assert.equal(start.status, 201, start.text);
	const done = await api(pending, 'POST', '/api/v1/auth/totp/enrolment/confirm',
		{ code: totp(start.json.secret) });
	assert.equal(done.status, 200, done.text);
	const session = { username, cookie: cookieOf(done), csrf: done.json.csrf_token };
	officer = { session, post, person };
	return officer;
}

// The events published so far (the /metrics counter).
export async function eventsPublished(session) {
	const r = await get(session, '/metrics');
	assert.equal(r.status, 200, r.text);
	const m = /^chancery_events_published_total (\d+)$/m.exec(r.text);
	assert.ok(m, 'the metrics name the events counter');
	return Number(m[1]);
}

// A risk in the officer's post.
export async function newRisk(fields = {}) {
	const { session, post, person } = await postOfficer();
	const r = await api(session, 'POST', '/api/v1/risks', {
		post_id: post.id, title: uniq('API test risk'), asset: 'Consulate staff',
		likelihood: 3, impact: 4, owner_person_id: person.id, categories: ['crime'],
		...fields,
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}
