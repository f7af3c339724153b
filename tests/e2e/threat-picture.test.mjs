// tests/e2e/threat-picture.test.mjs — the threat picture responding, end to
// end in Chromium, as the security officer lives it: with the dashboard
// open, an incident is reported through the form; the live feed shows it,
// the category's trend counts it and its computed rating rises; a graded
// report adds to the rating; a change to a risk moves it on the heat map;
// and the threat-assessment report prints to a PDF.  Screenshots go to
// $CH_E2E_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RSO, launch, login, openPage, shot, startServer } from './lib.mjs';

let server;
let browser;

before(async () => {
	server = await startServer();
	browser = await launch();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
});

// The API's view, read from inside the signed-in page.
function fetchJson(page, path) {
	return page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).json(), path);
}
async function postId(page) {
	return (await fetchJson(page, '/api/v1/auth/session')).user.post_id;
}
async function terrorism(page) {
	const id = await postId(page);
	const ratings = await fetchJson(page, `/api/v1/posts/${id}/ratings`);
	const trends = await fetchJson(page, `/api/v1/posts/${id}/trends`);
	return {
		rating: ratings.categories.find((c) => c.category === 'terrorism').computed,
		trend: trends.categories.find((c) => c.category === 'terrorism'),
	};
}
function heatmapCells(page) {
	return page.evaluate(async () => {
		const src = document.querySelector('img.heatmap').getAttribute('src');
		const svg = await (await fetch(src, { credentials: 'same-origin' })).text();
		const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
		return [...doc.querySelectorAll('g.cell')].map((g) => ({
			l: +g.dataset.likelihood, i: +g.dataset.impact, inherent: +g.dataset.inherent,
		}));
	});
}
const LEVELS = ['Low', 'Medium', 'High', 'Critical'];

describe('the threat picture responds', () => {
	test('report an incident, a graded report and a risk change; the dashboard, ratings, trend and heat map follow', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, RSO);
			// The dashboard, open in a second tab, with its live feed.
			const dash = await context.newPage();
			await dash.goto('/#/dashboard');
			await dash.locator('.live-open').waitFor();
			const before = await terrorism(page);

			// 1. An incident, through the form.
			const title = `E2E car bomb near the chancery ${Date.now().toString(36)}`;
			await page.goto('/#/threats');
			await page.getByRole('link', { name: 'Report an incident' }).click();
			await page.getByLabel('What happened, in one line').fill(title);
			await page.getByLabel('Type').selectOption('terrorist_attack');
			assert.equal(await page.getByLabel('Threat category').inputValue(), 'terrorism', 'the category follows the type');
			await page.getByLabel('Severity').selectOption('Extreme');
			await page.getByLabel('Where').selectOption('elsewhere');
			await page.getByLabel('Place').fill('Limuru Road');
			await page.getByLabel('Details').fill('A vehicle exploded 400 m from the chancery; two passers-by injured.');
			await shot(page, 'incident-report-form');
			await page.getByRole('button', { name: 'Report the incident' }).click();
			await page.getByRole('heading', { name: title }).waitFor();

			// The feed shows it at once; the trend and the rating follow.
			await dash.locator('.feed li', { hasText: title }).waitFor();
			const after = await terrorism(page);
			assert.equal(after.trend.recent, before.trend.recent + 1, 'the trend counts it');
			assert.ok(after.rating.score >= before.rating.score + 3.9,
				`an Extreme incident adds about 4: ${before.rating.score} → ${after.rating.score}`);
			assert.ok(LEVELS.indexOf(after.rating.level) >= LEVELS.indexOf(before.rating.level));
			assert.match(after.rating.explanation, new RegExp(`Extreme incident "${title}"`));
			await dash.locator('.trend', { hasText: 'Terrorism' })
				.getByText(`${after.trend.recent} incident${after.trend.recent === 1 ? '' : 's'} in the last 7 days`).waitFor();
			await dash.locator('.dash-ratings tr', { hasText: 'Terrorism' }).getByText(after.rating.level).first().waitFor();
			await shot(dash, 'dashboard-after-incident');

			// 2. A graded report on the same category.
			await page.goto('/#/intel/new');
			const report = `E2E attack planning against missions ${Date.now().toString(36)}`;
			await page.getByLabel('Title').fill(report);
			await page.getByLabel('Threat category').selectOption('terrorism');
			const source = await page.locator('#f-source_id option', { hasText: 'HORNBILL' }).getAttribute('value');
			await page.getByLabel('Source', { exact: true }).selectOption(source);
			await page.getByLabel('Reliability of the source').selectOption('A');
			await page.getByLabel('Credibility of the information').selectOption('1');
			await page.getByRole('button', { name: 'Record report' }).click();
			await page.getByRole('heading', { name: report }).waitFor();
			const graded = await terrorism(page);
			assert.ok(graded.rating.report_score > after.rating.report_score + 1.9,
				`an A1 report adds about 2: ${after.rating.report_score} → ${graded.rating.report_score}`);
			await page.goto('/#/ratings');
			await page.getByText(`A1 report "${report}"`, { exact: false }).first().waitFor();

			// 3. A risk changes; the heat map moves.
			await page.goto('/#/risks');
			await page.locator('img.heatmap').waitFor();
			const cellsBefore = await heatmapCells(page);
			await page.locator('.risks-table a.row-link').first().click();
			await page.getByRole('link', { name: 'Edit' }).click();
			const select = page.getByLabel('Likelihood (before controls)');
			const was = Number(await select.inputValue());
			const now = was === 1 ? 2 : 1;
			await select.selectOption(String(now));
			await page.getByRole('button', { name: 'Save changes' }).click();
			await page.getByRole('link', { name: 'Edit' }).waitFor();
			await page.goto('/#/risks');
			await page.locator('img.heatmap').waitFor();
			const cellsAfter = await heatmapCells(page);
			const row = (cs, l) => cs.filter((c) => c.l === l).reduce((a, c) => a + c.inherent, 0);
			assert.equal(row(cellsAfter, now), row(cellsBefore, now) + 1, `one more risk at likelihood ${now}`);
			assert.equal(row(cellsAfter, was), row(cellsBefore, was) - 1, `one fewer at likelihood ${was}`);

			// 4. The assessment report shows it all and prints.
			await page.goto('/#/assessment');
			await page.getByRole('heading', { name: /Threat assessment/ }).waitFor();
			await page.locator('section[aria-labelledby="a-incidents"]').getByText(title).waitFor();
			await page.locator('section[aria-labelledby="a-intel"]').getByText(report).waitFor();
			await page.locator('section[aria-labelledby="a-ratings"]').getByText(`Extreme incident "${title}"`, { exact: false }).waitFor();
			await shot(page, 'assessment');
			await page.emulateMedia({ media: 'print' });
			const pdf = await page.pdf({ format: 'A4', printBackground: true });
			assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
			assert.ok(pdf.length > 20000, `a PDF of ${pdf.length} bytes`);
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
