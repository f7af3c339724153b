// tests/e2e/risks.test.mjs — threat ratings and the risk register in the
// console: the ratings page explains each computed rating and flags a long
// disagreement, the security officer raises a rating and sees the linked
// risks flagged, the register shows the server's heat map, and a review
// clears a flag and moves the risk on the map.  Screenshots go to
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

// The heat map's cell counts, read from the SVG the page shows.
function heatmapCells(page) {
	return page.evaluate(async () => {
		const src = document.querySelector('img.heatmap').getAttribute('src');
		const svg = await (await fetch(src, { credentials: 'same-origin' })).text();
		const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
		return [...doc.querySelectorAll('g.cell')].map((g) => ({
			l: +g.dataset.likelihood, i: +g.dataset.impact,
			inherent: +g.dataset.inherent, residual: +g.dataset.residual,
		}));
	});
}

describe('ratings and risks', () => {
	test('the ratings page: official beside computed, explained, with the disagreement flag', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, RSO);
			await page.goto('/#/ratings');
			await page.getByRole('heading', { name: 'Threat ratings' }).waitFor();
			for (const c of ['Political violence', 'Terrorism', 'Crime', 'Human intelligence', 'Technical and cyber'])
				await page.getByRole('heading', { name: c, exact: true }).waitFor();
			const text = await page.locator('main, body').first().innerText();
			assert.match(text, /(Low|Medium|High|Critical) because the score \d+\.\d\d/);
			assert.match(text, /Disagree for \d+ days/);
			await shot(page, 'ratings');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('raising a rating flags the linked risks; a review clears the flag', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, RSO);
			await page.goto('/#/ratings');
			await page.getByLabel('Category').selectOption('political_violence');
			await page.getByLabel('Level').selectOption('Critical');
			await page.getByLabel(/Rationale/).fill('Election results contested; large protests announced.');
			await page.getByRole('button', { name: 'Set rating' }).click();
			const done = page.getByRole('status').filter({ hasText: 'Political violence is now Critical' });
			await done.waitFor();
			assert.match(await done.innerText(), /Raised: [1-9]\d* linked risks? flagged for review/);

			await page.goto('/#/risks?flagged=true&category=political_violence');
			await page.getByRole('heading', { name: 'Risk register' }).waitFor();
			const link = page.getByRole('link', { name: 'Violent demonstration breaches the perimeter' });
			await link.waitFor();
			const imgOk = await page.locator('img.heatmap').evaluate((img) =>
				img.complete ? img.naturalWidth > 0 : new Promise((r) => { img.onload = () => r(img.naturalWidth > 0); }));
			assert.ok(imgOk, 'the heat map SVG loads under the CSP');
			await shot(page, 'risks');
			const before = await heatmapCells(page);
			await link.click();
			await page.getByText(/Flagged for review:.*political_violence rating was raised/).waitFor();
			await shot(page, 'risk');
			await page.getByLabel(/What the review found/).fill('Anti-climb topping and GSU presence confirmed.');
			await page.getByRole('button', { name: 'Record the review' }).click();
			await page.getByText(/Flagged for review:/).waitFor({ state: 'detached' });
			assert.match(await page.getByText('Last review').locator('xpath=..').innerText(), /by rso/);

			await page.getByRole('link', { name: 'Edit' }).click();
			await page.getByLabel('Likelihood (before controls)').selectOption('5');
			await page.getByRole('button', { name: 'Save changes' }).click();
			await page.getByText('Likelihood').locator('xpath=..').getByText('5 almost certain').waitFor();
			await page.goto('/#/risks');
			await page.locator('img.heatmap').waitFor();
			const after = await heatmapCells(page);
			const at = (cs, l, i) => cs.find((c) => c.l === l && c.i === i).inherent;
			assert.equal(at(after, 5, 4), at(before, 5, 4) + 1, 'the risk moved to likelihood 5 on the map');
			assert.equal(at(after, 3, 4), at(before, 3, 4) - 1);
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
