// ratings.test.mjs — threat ratings: the demo post's year of official
// changes and daily computed ratings, the explanation and its top
// contributors, who may read and who may set, validation, the computed
// rating answering a new incident, a rise flagging the linked risks and
// publishing threat.rating.raised, and the disagreement flag.  Writes go to
// the tests' own post (risk-fixtures.mjs); the demo post is only read.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, login, server, uniq } from './harness.mjs';
import { eventsPublished, newRisk, postOfficer } from './risk-fixtures.mjs';

before(server);

const CATEGORIES = ['political_violence', 'terrorism', 'crime', 'human_intelligence', 'technical_cyber'];
const LEVELS = ['Low', 'Medium', 'High', 'Critical'];
const now = (minutes = 0) => new Date(Date.now() - minutes * 60e3).toISOString().replace(/\.\d+Z$/, 'Z');

async function ratings(session, postId, query = '') {
	const r = await get(session, `/api/v1/posts/${postId}/ratings${query}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}
const byCategory = (rep, c) => rep.categories.find((x) => x.category === c);

describe('the demo post', () => {
	test('every category has an official rating with its rationale and a computed one explained', async () => {
		const rep = await ratings(await login('rso'), await demoPost());
		assert.deepEqual(rep.categories.map((c) => c.category), CATEGORIES);
		for (const c of rep.categories) {
			assert.ok(LEVELS.includes(c.official.to), c.category);
			assert.ok(c.official.rationale.length > 20);
			assert.equal(c.official.actor, 'rso');
			assert.ok(LEVELS.includes(c.computed.level));
			assert.match(c.computed.explanation,
				new RegExp(`^${c.computed.level} because the score ${c.computed.score.toFixed(2)} `));
			assert.ok(c.computed.top.length > 0, `${c.category} has contributors`);
			const sum = c.computed.incident_score + c.computed.report_score;
			assert.ok(Math.abs(sum - c.computed.score) < 1e-9);
			for (const t of c.computed.top) {
				assert.ok(Math.abs(t.weight * t.decay - t.contribution) < 1e-9);
				assert.ok(Math.abs(Math.exp(-t.age_days / rep.settings.tau_days) - t.decay) < 1e-9);
			}
			const contributions = c.computed.top.map((t) => t.contribution);
			assert.deepEqual(contributions, [...contributions].sort((a, b) => b - a), 'largest first');
		}
	});

	test('the calibrated defaults give a mix of levels over the year, and a long disagreement', async () => {
		const rep = await ratings(await login('rso'), await demoPost(), '?history=true');
		assert.equal(rep.settings.tau_days, 60);
		assert.deepEqual([rep.settings.threshold_medium, rep.settings.threshold_high, rep.settings.threshold_critical],
			[2, 5, 10]);
		const computed = new Set(rep.daily.map((d) => d.level));
		assert.deepEqual([...computed].sort(), ['Critical', 'High', 'Low', 'Medium'], 'every level occurs in the year');
		assert.ok(rep.categories.some((c) => c.computed.reports > 0), 'graded reports count');
		const flagged = rep.categories.filter((c) => c.disagreement);
		const agree = rep.categories.filter((c) => !c.differs);
		assert.ok(flagged.length >= 1 && agree.length >= 1, 'both agreement and a long disagreement');
		for (const c of flagged) {
			assert.ok(c.disagree_days >= rep.settings.disagree_days);
			assert.match(c.disagree_since, /^\d{4}-\d\d-\d\d$/);
		}
	});

	test('history: a year of official changes and of daily computed ratings', async () => {
		const rep = await ratings(await login('analyst'), await demoPost(), '?history=true&days=400');
		assert.ok(rep.changes.length >= 12, `${rep.changes.length} changes`);
		const oldest = rep.changes.at(-1);
		assert.ok((Date.now() - Date.parse(oldest.at)) / 86400e3 > 300);
		assert.ok(rep.changes.some((c) => c.from !== null && LEVELS.indexOf(c.to) > LEVELS.indexOf(c.from)));
		assert.ok(rep.changes.some((c) => c.from !== null && LEVELS.indexOf(c.to) < LEVELS.indexOf(c.from)));
		const days = new Set(rep.daily.map((d) => d.day));
		assert.ok(days.size > 300, `${days.size} days`);
		assert.equal(rep.daily.length, days.size * 5, 'every category every day');
		const terror = rep.daily.filter((d) => d.category === 'terrorism').map((d) => d.level);
		assert.ok(terror.includes('Critical') || terror.includes('High'), 'the explosion raised the computed terrorism rating');
		const short = await ratings(await login('analyst'), await demoPost(), '?history=true&days=7');
		assert.equal(short.daily.length, 35);
		assertProblem(await get(await login('analyst'), `/api/v1/posts/${await demoPost()}/ratings?days=0`), 400, 'bad-query');
	});

	test('who reads: analyst, EAC and HQ yes; guard and staff no; another post no', async () => {
		const id = await demoPost();
		for (const u of ['analyst', 'eac', 'hq'])
			assert.equal((await get(await login(u), `/api/v1/posts/${id}/ratings`)).status, 200, u);
		for (const u of ['guard', 'staff'])
			assertProblem(await get(await login(u), `/api/v1/posts/${id}/ratings`), 403, 'forbidden');
		const { session } = await postOfficer();
		assertProblem(await get(session, `/api/v1/posts/${id}/ratings`), 404, 'not-found');
	});

	test('only the security officer sets an official rating', async () => {
		const id = await demoPost();
		for (const u of ['analyst', 'eac', 'hq']) {
			const r = await api(await login(u), 'POST', `/api/v1/posts/${id}/ratings`,
				{ category: 'crime', level: 'High', rationale: 'not mine to set' });
			assertProblem(r, 403, 'forbidden');
		}
	});
});

describe('setting the official rating', () => {
	test('validation: category, level and a rationale are required', async () => {
		const { session, post } = await postOfficer();
		const path = `/api/v1/posts/${post.id}/ratings`;
		assertProblem(await api(session, 'POST', path, { category: 'crime', level: 'High' }), 422, 'validation', /rationale/, '/rationale');
		assertProblem(await api(session, 'POST', path, { category: 'crime', level: 'High', rationale: '' }), 422, 'validation', /rationale/, '/rationale');
		assertProblem(await api(session, 'POST', path, { category: 'crime', level: 'Severe', rationale: 'x' }), 422, 'validation', null, '/level');
		assertProblem(await api(session, 'POST', path, { category: 'arson', level: 'High', rationale: 'x' }), 422, 'validation', null, '/category');
	});

	test('each change is kept: who, when, from, to and why', async () => {
		const { session, post } = await postOfficer();
		const path = `/api/v1/posts/${post.id}/ratings`;
		const first = await api(session, 'POST', path,
			{ category: 'human_intelligence', level: 'Medium', rationale: 'Baseline for the consulate.' });
		assert.equal(first.status, 201, first.text);
		assert.equal(first.json.from, null);
		const second = await api(session, 'POST', path,
			{ category: 'human_intelligence', level: 'Low', rationale: 'No activity seen in a year.' });
		assert.equal(second.status, 201, second.text);
		assert.equal(second.json.from, 'Medium');
		assert.equal(second.json.raised, false);
		const rep = await ratings(session, post.id, '?history=true&days=3');
		const mine = rep.changes.filter((c) => c.category === 'human_intelligence');
		assert.deepEqual(mine.slice(0, 2).map((c) => [c.from, c.to, c.rationale, c.actor]), [
			['Medium', 'Low', 'No activity seen in a year.', session.username],
			[null, 'Medium', 'Baseline for the consulate.', session.username],
		]);
		assert.equal(byCategory(rep, 'human_intelligence').official.to, 'Low');
	});
});

describe('a rise flags the linked risks and publishes threat.rating.raised', () => {
	test('raise -> linked risks flagged in the same change, others not; event published; a review clears', async () => {
		const { session, post } = await postOfficer();
		const path = `/api/v1/posts/${post.id}/ratings`;
		let r = await api(session, 'POST', path, { category: 'terrorism', level: 'Low', rationale: 'Baseline.' });
		assert.equal(r.status, 201, r.text);
		const linked = await newRisk({ categories: ['terrorism', 'crime'], title: uniq('API test bomb risk') });
		const other = await newRisk({ categories: ['crime'] });
		assert.equal(linked.flagged, false);

		let before = await eventsPublished(session);
		r = await api(session, 'POST', path, { category: 'terrorism', level: 'Low', rationale: 'Unchanged.' });
		assert.equal(r.json.raised, false);
		assert.equal(await eventsPublished(session) - before, 1, 'threat.rating.set only');
		assert.equal((await get(session, `/api/v1/risks/${linked.id}`)).json.flagged, false);

		before = await eventsPublished(session);
		r = await api(session, 'POST', path, { category: 'terrorism', level: 'High', rationale: 'Attack planning reported.' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.raised, true);
		assert.equal(r.json.flagged_risks >= 1, true);
		assert.equal(await eventsPublished(session) - before, 2, 'threat.rating.set and threat.rating.raised');
		const flagged = (await get(session, `/api/v1/risks/${linked.id}`)).json;
		assert.equal(flagged.flagged, true);
		assert.match(flagged.flag_reason, /terrorism rating was raised from Low to High/);
		assert.equal(flagged.flagged_at, r.json.at);
		assert.equal((await get(session, `/api/v1/risks/${other.id}`)).json.flagged, false);
		const rep = await ratings(session, post.id);
		assert.ok(byCategory(rep, 'terrorism').flagged_risks >= 1);
		const list = await get(session, `/api/v1/posts/${post.id}/risks?flagged=true`);
		assert.ok(list.json.items.some((x) => x.id === linked.id));
		assert.ok(!list.json.items.some((x) => x.id === other.id));

		const review = await api(session, 'POST', `/api/v1/risks/${linked.id}/review`, { note: 'Barriers checked.' });
		assert.equal(review.status, 200, review.text);
		assert.equal(review.json.flagged, false);
		assert.equal(review.json.reviewed_by, session.username);
	});
});

describe('the computed rating', () => {
	test('answers a new incident and explains it', async () => {
		const { session, post } = await postOfficer();
		const before = byCategory(await ratings(session, post.id), 'technical_cyber').computed;
		const title = uniq('API test intrusion');
		const inc = await api(session, 'POST', '/api/v1/incidents', {
			post_id: post.id, type: 'cyberattack', category: 'technical_cyber', severity: 'Severe',
			title, occurred_at: now(5), classification: 'UNCLASSIFIED', tlp: 'CLEAR',
		});
		assert.equal(inc.status, 201, inc.text);
		const after = byCategory(await ratings(session, post.id), 'technical_cyber').computed;
		assert.ok(Math.abs(after.score - before.score - 2 * Math.exp(-5 / 1440 / 60)) < 1e-3,
			`${before.score} -> ${after.score}`);
		assert.equal(after.incidents, before.incidents + 1);
		assert.equal(after.top[0].title, title);
		assert.equal(after.top[0].grade, 'Severe');
		assert.match(after.explanation, new RegExp(`Severe incident "${title}"`));
	});

	test('the disagreement flag follows the post setting', async () => {
		const { session, post } = await postOfficer();
		let r = await api(session, 'POST', `/api/v1/posts/${post.id}/ratings`,
			{ category: 'political_violence', level: 'Critical', rationale: 'Election violence expected.' });
		assert.equal(r.status, 201, r.text);
		let c = byCategory(await ratings(session, post.id), 'political_violence');
		assert.equal(c.differs, true);
		assert.equal(c.disagree_days, 0, 'it began today');
		assert.equal(c.disagreement, false, 'not yet for 14 days');
		const settings = (await get(session, `/api/v1/posts/${post.id}/rating-settings`)).json;
		assert.equal(settings.disagree_days, 14);
		r = await api(session, 'PUT', `/api/v1/posts/${post.id}/rating-settings`, {
			tau_days: settings.tau_days, lookback_days: settings.lookback_days,
			threshold_medium: settings.threshold_medium, threshold_high: settings.threshold_high,
			threshold_critical: settings.threshold_critical, disagree_days: 0,
		});
		assert.equal(r.status, 200, r.text);
		c = byCategory(await ratings(session, post.id), 'political_violence');
		assert.equal(c.disagreement, true);
		r = await api(session, 'PUT', `/api/v1/posts/${post.id}/rating-settings`, { ...settings, weights: undefined, disagree_days: 14 });
		assert.equal(r.status, 200, r.text);
	});

	test('settings are validated and only the officer changes them', async () => {
		const { session, post } = await postOfficer();
		const path = `/api/v1/posts/${post.id}/rating-settings`;
		const good = {
			tau_days: 60, lookback_days: 365, threshold_medium: 2, threshold_high: 5,
			threshold_critical: 10, disagree_days: 14,
		};
		assertProblem(await api(session, 'PUT', path, { ...good, threshold_high: 0.5 }), 422, 'validation', /rise/, '/thresholds');
		assertProblem(await api(session, 'PUT', path, { ...good, tau_days: 0 }), 422, 'validation', null, '/tau_days');
		assertProblem(await api(session, 'PUT', path, { ...good, disagree_days: 400 }), 422, 'validation', null, '/disagree_days');
		assertProblem(await api(await login('analyst'), 'PUT', `/api/v1/posts/${await demoPost()}/rating-settings`, good),
			403, 'forbidden');
	});
});
