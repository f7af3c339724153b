// trends.test.mjs — GET /api/v1/posts/{id}/trends: per threat category, the
// recent incident count against the post's own baseline, explained.  Uses a
// post of its own (secondPost), so that the demo's history does not matter.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, hqAdmin, login, secondPost } from './harness.mjs';

const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');

describe('trend detection', () => {
	test('a quiet post has no alert, and every category is explained', async () => {
		const { post } = await secondPost();
		const r = await get(await hqAdmin(), `/api/v1/posts/${post.id}/trends`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.window_days, 7);
		assert.equal(r.json.baseline_days, 90);
		assert.equal(r.json.categories.length, 5);
		for (const c of r.json.categories) {
			assert.equal(c.daily.length, 97);
			assert.equal(c.alert, false, c.explanation);
			assert.match(c.explanation, /in the last 7 days/);
		}
	});

	test('three incidents of one category in a silent quarter alert, with the numbers', async () => {
		const { post } = await secondPost();
		const s = await hqAdmin();
		for (const h of [5, 30, 70]) {
			const r = await api(s, 'POST', '/api/v1/incidents', {
				post_id: post.id, type: 'cyberattack', category: 'technical_cyber',
				severity: 'Moderate', title: `Phishing wave ${h}`, occurred_at: hoursAgo(h),
				classification: 'UNCLASSIFIED', tlp: 'CLEAR',
			});
			assert.equal(r.status, 201, r.text);
		}
		const r = await get(s, `/api/v1/posts/${post.id}/trends`);
		const cyber = r.json.categories.find((c) => c.category === 'technical_cyber');
		assert.equal(cyber.recent, 3);
		assert.equal(cyber.alert, true, cyber.explanation);
		assert.ok(cyber.p_value < 0.01);
		assert.match(cyber.explanation, /3 incidents in the last 7 days/);
		assert.equal(cyber.daily.slice(-7).reduce((a, b) => a + b, 0), 3);
		const crime = r.json.categories.find((c) => c.category === 'crime');
		assert.equal(crime.alert, false);
		// A one-day window sees only those of today (UTC): the most recent
		// of the three, or none just after midnight.
		const today = new Date().toISOString().slice(0, 10);
		const todays = [5, 30, 70].filter((h) => hoursAgo(h).slice(0, 10) === today).length;
		const one = await get(s, `/api/v1/posts/${post.id}/trends?window=1`);
		assert.equal(one.json.categories.find((c) => c.category === 'technical_cyber').recent, todays);
	});

	test('the window is checked, other posts are invisible, staff count only their own reports', async () => {
		const rso = await login('rso');
		const demo = await demoPost();
		assertProblem(await get(rso, `/api/v1/posts/${demo}/trends?window=0`), 400, 'bad-query', /window/);
		assertProblem(await get(rso, `/api/v1/posts/${demo}/trends?baseline=1000`), 400, 'bad-query', /baseline/);
		const { post } = await secondPost();
		assertProblem(await get(rso, `/api/v1/posts/${post.id}/trends`), 404, 'not-found');
		assert.equal((await get(rso, `/api/v1/posts/${demo}/trends`)).status, 200);
		// Staff read only the incidents they reported: their trends count
		// only those, so a count cannot reveal what their list would not.
		const staff = await get(await login('staff'), `/api/v1/posts/${demo}/trends`);
		assert.equal(staff.status, 200, staff.text);
		const all = await get(rso, `/api/v1/posts/${demo}/trends?baseline=300`);
		const own = await get(await login('staff'), `/api/v1/posts/${demo}/trends?baseline=300`);
		const sum = (j) => j.categories.reduce((a, c) => a + c.recent + c.baseline_total, 0);
		assert.ok(sum(own.json) < sum(all.json), `${sum(own.json)} of ${sum(all.json)}`);
	});
});
