// risks.test.mjs — the risk register: the demo post's fifteen risks,
// creation and validation, residual scores from controls in place (and the
// target with planned ones), PATCH with If-Match, reviews, overdue and
// flagged filters, the post's bands (validated, configurable), and the SVG
// heat map (well-formed, labelled, counts per cell that match the list).
// Writes go to the tests' own post (risk-fixtures.mjs).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, login, person, server, today, uniq } from './harness.mjs';
import { newRisk, postOfficer } from './risk-fixtures.mjs';

before(server);

const DEFAULT_BANDS = [
	{ name: 'low', min: 1, max: 4 }, { name: 'medium', min: 5, max: 9 },
	{ name: 'high', min: 10, max: 14 }, { name: 'critical', min: 15, max: 25 },
];
const bandOf = (bands, score) => bands.find((b) => score >= b.min && score <= b.max).name;

async function register(session, postId, query = '') {
	const r = await get(session, `/api/v1/posts/${postId}/risks${query}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// The cells of a heat map: [{l, i, score, band, inherent, residual}].
function cells(svg) {
	const re = /<g class="cell" data-likelihood="(\d)" data-impact="(\d)" data-score="(\d+)" data-band="(\w+)" data-inherent="(\d+)" data-residual="(\d+)">/g;
	return [...svg.matchAll(re)].map((m) => ({
		l: +m[1], i: +m[2], score: +m[3], band: m[4], inherent: +m[5], residual: +m[6],
	}));
}

describe('the demo register', () => {
	test('fifteen risks with controls, owners, highest residual first, default bands', async () => {
		const reg = await register(await login('analyst'), await demoPost());
		const demo = reg.items.filter((r) => !r.title.startsWith('API test'));
		assert.ok(demo.length >= 15, `${demo.length} risks`);
		assert.deepEqual(reg.bands, DEFAULT_BANDS);
		const residuals = reg.items.map((r) => r.residual.score);
		assert.deepEqual(residuals, [...residuals].sort((a, b) => b - a));
		for (const r of demo) {
			assert.ok(r.controls.length >= 1, r.title);
			assert.ok(r.owner_name, r.title);
			assert.equal(r.inherent.score, r.likelihood * r.impact);
			assert.equal(r.inherent.band, bandOf(DEFAULT_BANDS, r.inherent.score));
			assert.ok(r.residual.score <= r.inherent.score);
			assert.ok(r.target.score <= r.residual.score);
			assert.ok(['accept', 'mitigate', 'transfer', 'avoid'].includes(r.treatment));
		}
		assert.ok(demo.some((r) => r.flagged), 'rating rises left some risks flagged');
		assert.ok(demo.some((r) => r.overdue), 'some reviews are overdue');
		assert.ok(demo.some((r) => !r.overdue && !r.flagged));
		assert.equal(reg.flagged, reg.items.filter((r) => r.flagged).length);
		assert.equal(reg.overdue, reg.items.filter((r) => r.overdue).length);
	});

	test('filters: flagged, overdue, category', async () => {
		const s = await login('rso');
		const id = await demoPost();
		const all = (await register(s, id)).items;
		const flagged = (await register(s, id, '?flagged=true')).items;
		assert.deepEqual(flagged.map((r) => r.id), all.filter((r) => r.flagged).map((r) => r.id));
		const overdue = (await register(s, id, '?overdue=true')).items;
		assert.deepEqual(overdue.map((r) => r.id), all.filter((r) => r.review_on < today()).map((r) => r.id));
		const cyber = (await register(s, id, '?category=technical_cyber')).items;
		assert.ok(cyber.length >= 2);
		assert.ok(cyber.every((r) => r.categories.includes('technical_cyber')));
		assertProblem(await get(s, `/api/v1/posts/${id}/risks?category=arson`), 400, 'bad-query');
	});

	test('who: analyst, EAC and HQ read; guard and staff do not; another post is not found', async () => {
		const id = await demoPost();
		for (const u of ['analyst', 'eac', 'hq'])
			assert.equal((await get(await login(u), `/api/v1/posts/${id}/risks`)).status, 200, u);
		for (const u of ['guard', 'staff']) {
			assertProblem(await get(await login(u), `/api/v1/posts/${id}/risks`), 403, 'forbidden');
			assertProblem(await get(await login(u), `/api/v1/posts/${id}/risks/heatmap.svg`), 403, 'forbidden');
		}
		const { session } = await postOfficer();
		assertProblem(await get(session, `/api/v1/posts/${id}/risks`), 404, 'not-found');
		const one = (await register(await login('rso'), id)).items[0];
		assertProblem(await get(session, `/api/v1/risks/${one.id}`), 404, 'not-found');
	});
});

describe('keeping risks', () => {
	test('an analyst adds a risk; residual counts controls in place, target counts planned ones too', async () => {
		const owner = await person('Sofie Lund');
		const r = await api(await login('analyst'), 'POST', '/api/v1/risks', {
			post_id: await demoPost(), title: uniq('API test risk: drone over the compound'),
			asset: 'Chancery roof and staff', categories: ['human_intelligence', 'terrorism'],
			likelihood: 4, impact: 4, owner_person_id: owner.id, treatment: 'mitigate',
			review_on: '2027-06-30',
			controls: [
				{ name: 'Counter-drone detection', likelihood_steps: 1, impact_steps: 0, status: 'in_place' },
				{ name: 'Roof netting', likelihood_steps: 0, impact_steps: 2, status: 'planned' },
			],
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.get('location'), `/api/v1/risks/${r.json.id}`);
		assert.deepEqual(r.json.inherent, { likelihood: 4, impact: 4, score: 16, band: 'critical' });
		assert.deepEqual(r.json.residual, { likelihood: 3, impact: 4, score: 12, band: 'high' });
		assert.deepEqual(r.json.target, { likelihood: 3, impact: 2, score: 6, band: 'medium' });
		assert.equal(r.json.owner_name, 'Sofie Lund');
		assert.deepEqual(r.json.categories, ['terrorism', 'human_intelligence']);
		assert.equal(r.json.likelihood_label, 'likely');
		assert.equal(r.json.impact_label, 'major');
		assert.equal(r.json.flagged, false);
		assert.equal(r.json.overdue, false);
		const back = await get(await login('eac'), `/api/v1/risks/${r.json.id}`);
		assert.equal(back.status, 200, back.text);
		assert.equal(back.json.controls.length, 2);
		assert.equal(back.headers.get('etag'), '"1"');
	});

	test('validation names the field', async () => {
		const { session, post, person: p } = await postOfficer();
		const good = { post_id: post.id, title: 'Risk', asset: 'Staff', likelihood: 3, impact: 3, owner_person_id: p.id };
		const post_ = (b) => api(session, 'POST', '/api/v1/risks', b);
		assertProblem(await post_({ ...good, likelihood: 6 }), 422, 'validation', /rare.*almost certain/, '/likelihood');
		assertProblem(await post_({ ...good, impact: 0 }), 422, 'validation', /negligible.*severe/, '/impact');
		assertProblem(await post_({ ...good, title: undefined }), 422, 'validation', null, '/title');
		assertProblem(await post_({ ...good, treatment: 'ignore' }), 422, 'validation', null, '/treatment');
		assertProblem(await post_({ ...good, categories: ['arson'] }), 422, 'validation', null, '/categories');
		assertProblem(await post_({ ...good, review_on: '2027-02-30' }), 422, 'validation', null, '/review_on');
		assertProblem(await post_({ ...good, controls: [{ name: 'x', likelihood_steps: 0, impact_steps: 0, status: 'in_place' }] }),
			422, 'validation', /lowers at least one/, '/controls');
		assertProblem(await post_({ ...good, controls: [{ name: 'x', likelihood_steps: 5, impact_steps: 0, status: 'in_place' }] }),
			422, 'validation', /0 to 4/, '/controls');
		assertProblem(await post_({ ...good, controls: [{ name: 'x', likelihood_steps: 1, impact_steps: 0, status: 'done' }] }),
			422, 'validation', /planned, in_place/, '/controls');
		const demoOwner = await person('Sofie Lund');
		assertProblem(await post_({ ...good, owner_person_id: demoOwner.id }), 422, 'validation', /no person of this post/, '/owner_person_id');
		assertProblem(await api(await login('guard'), 'POST', '/api/v1/risks', { ...good, post_id: await demoPost() }), 403, 'forbidden');
		assertProblem(await api(await login('analyst'), 'POST', '/api/v1/risks', good), 422, 'validation', null, '/post_id');
	});

	test('PATCH with If-Match; a stale version is refused; controls lower the residual', async () => {
		const { session } = await postOfficer();
		const risk = await newRisk({ likelihood: 5, impact: 5 });
		assert.equal(risk.residual.score, 25);
		assertProblem(await api(session, 'PATCH', `/api/v1/risks/${risk.id}`, { impact: 4 }), 428, 'if-match-required');
		const r = await api(session, 'PATCH', `/api/v1/risks/${risk.id}`, {
			controls: [{ name: 'Guard force', likelihood_steps: 2, impact_steps: 1, status: 'in_place' }],
		}, { 'If-Match': '"1"' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.residual, { likelihood: 3, impact: 4, score: 12, band: 'high' });
		assert.equal(r.json.version, 2);
		assertProblem(await api(session, 'PATCH', `/api/v1/risks/${risk.id}`, { impact: 3 }, { 'If-Match': '"1"' }),
			412, 'stale-version');
		const floor = await api(session, 'PATCH', `/api/v1/risks/${risk.id}`, {
			likelihood: 2, controls: [{ name: 'Evacuate', likelihood_steps: 4, impact_steps: 4, status: 'in_place' }],
		}, { 'If-Match': '"2"' });
		assert.deepEqual(floor.json.residual, { likelihood: 1, impact: 1, score: 1, band: 'low' }, 'never below 1');
	});

	test('a review sets the next date; overdue reviews are flagged', async () => {
		const { session } = await postOfficer();
		const risk = await newRisk({ review_on: '2020-01-01' });
		assert.equal(risk.overdue, true);
		assertProblem(await api(session, 'POST', `/api/v1/risks/${risk.id}/review`, { note: '' }), 422, 'validation', null, '/note');
		assertProblem(await api(session, 'POST', `/api/v1/risks/${risk.id}/review`, { note: 'ok', next_review_on: '2020-02-01' }),
			422, 'validation', /after today/, '/next_review_on');
		const r = await api(session, 'POST', `/api/v1/risks/${risk.id}/review`, { note: 'Checked.', next_review_on: '2030-01-31' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.overdue, false);
		assert.equal(r.json.review_on, '2030-01-31');
		assert.ok(r.json.reviewed_at);
		const d = await api(session, 'POST', `/api/v1/risks/${risk.id}/review`, { note: 'Again.' });
		const in90 = new Date(Date.now() + 90 * 86400e3).toISOString().slice(0, 10);
		assert.equal(d.json.review_on, in90);
	});
});

describe('bands and the heat map', () => {
	test('bands are validated: four, contiguous, covering 1 to 25', async () => {
		const { session, post } = await postOfficer();
		const path = `/api/v1/posts/${post.id}/risk-bands`;
		assert.deepEqual((await get(session, path)).json.bands, DEFAULT_BANDS);
		const gap = DEFAULT_BANDS.map((b) => (b.name === 'high' ? { ...b, min: 11 } : b));
		assertProblem(await api(session, 'PUT', path, { bands: gap }), 422, 'validation', /high band must start at 10/, '/bands');
		const overlap = DEFAULT_BANDS.map((b) => (b.name === 'medium' ? { ...b, max: 10 } : b));
		assertProblem(await api(session, 'PUT', path, { bands: overlap }), 422, 'validation', /start at 11/, '/bands');
		const short = DEFAULT_BANDS.map((b) => (b.name === 'critical' ? { ...b, max: 24 } : b));
		assertProblem(await api(session, 'PUT', path, { bands: short }), 422, 'validation', /end at 25/, '/bands');
		assertProblem(await api(session, 'PUT', path, { bands: DEFAULT_BANDS.slice(0, 3) }), 422, 'validation', /four bands/, '/bands');
		const twice = [...DEFAULT_BANDS.slice(0, 3), { name: 'low', min: 15, max: 25 }];
		assertProblem(await api(session, 'PUT', path, { bands: twice }), 422, 'validation', /once/, '/bands');
		assertProblem(await api(await login('analyst'), 'PUT', `/api/v1/posts/${await demoPost()}/risk-bands`, { bands: DEFAULT_BANDS }),
			403, 'forbidden');
		const mine = [
			{ name: 'critical', min: 20, max: 25 }, { name: 'low', min: 1, max: 3 },
			{ name: 'medium', min: 4, max: 8 }, { name: 'high', min: 9, max: 19 },
		];
		const r = await api(session, 'PUT', path, { bands: mine });
		assert.equal(r.status, 200, r.text);
		const sorted = [mine[1], mine[2], mine[3], mine[0]];
		assert.deepEqual(r.json.bands, sorted);
		const risk = await newRisk({ likelihood: 4, impact: 4 });
		assert.equal(risk.inherent.band, 'high', '16 is high under these bands');
		const svg = (await get(session, `/api/v1/posts/${post.id}/risks/heatmap.svg`)).text;
		assert.equal(cells(svg).find((c) => c.l === 4 && c.i === 4).band, 'high');
		assert.equal((await api(session, 'PUT', path, { bands: DEFAULT_BANDS })).status, 200);
	});

	test('the SVG: an image with title and description, 25 labelled cells whose counts match the list', async () => {
		const s = await login('rso');
		const id = await demoPost();
		const r = await get(s, `/api/v1/posts/${id}/risks/heatmap.svg`);
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^image\/svg\+xml/);
		const svg = r.text;
		assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
		assert.match(svg, /role="img" aria-labelledby="hm-title hm-desc"/);
		assert.match(svg, /<title id="hm-title">Risk heat map: inherent and residual<\/title>/);
		assert.match(svg, /<desc id="hm-desc">A 5 by 5 risk matrix/);
		for (const w of ['rare', 'unlikely', 'possible', 'likely', 'almost certain', 'negligible', 'minor', 'moderate', 'major', 'severe'])
			assert.ok(svg.includes(`</text>`) && svg.includes(` ${w}</text>`), w);
		const cs = cells(svg);
		assert.equal(cs.length, 25);
		const items = (await register(s, id)).items;
		for (const c of cs) {
			assert.equal(c.score, c.l * c.i);
			assert.equal(c.band, bandOf(DEFAULT_BANDS, c.score));
			assert.equal(c.inherent, items.filter((x) => x.likelihood === c.l && x.impact === c.i).length, `I ${c.l}x${c.i}`);
			assert.equal(c.residual, items.filter((x) => x.residual.likelihood === c.l && x.residual.impact === c.i).length,
				`R ${c.l}x${c.i}`);
		}
		assert.equal(cs.reduce((n, c) => n + c.inherent, 0), items.length);
		assert.equal((svg.match(/<title>Likelihood \d \([a-z ]+\) x impact \d \([a-z]+\) = \d+, \w+: \d+ inherent, \d+ residual<\/title>/g) || []).length, 25);
	});

	test('updating a risk moves it on the heat map', async () => {
		const { session, post } = await postOfficer();
		const risk = await newRisk({ likelihood: 2, impact: 5 });
		const before = cells((await get(session, `/api/v1/posts/${post.id}/risks/heatmap.svg`)).text);
		const r = await api(session, 'PATCH', `/api/v1/risks/${risk.id}`, { likelihood: 1 }, { 'If-Match': `"${risk.version}"` });
		assert.equal(r.status, 200, r.text);
		const after = cells((await get(session, `/api/v1/posts/${post.id}/risks/heatmap.svg`)).text);
		const at = (cs, l, i) => cs.find((c) => c.l === l && c.i === i).inherent;
		assert.equal(at(after, 2, 5), at(before, 2, 5) - 1);
		assert.equal(at(after, 1, 5), at(before, 1, 5) + 1);
	});
});
