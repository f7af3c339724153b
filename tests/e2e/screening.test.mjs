// tests/e2e/screening.test.mjs — the watchlist screening pages in headless
// Chromium: search a listed name and read the explained hits, decide a hit
// in the review queue with a reason, and read the lists with the summary
// of each version.  The demo imports the real OFAC and UN lists when
// ../shared/data/watchlists exists; without them the tests that need a
// listed name are skipped.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GUARD, REPO, launch, login, openPage, shot, startServer } from './lib.mjs';

const REAL_LISTS = existsSync(join(REPO, '..', 'shared', 'data', 'watchlists', 'ofac-sdn-2021-07'));

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

describe('watchlist screening', { skip: !REAL_LISTS && 'no ../shared/data/watchlists' }, () => {
	let context;
	let page;
	let problems;

	before(async () => {
		({ context, page, problems } = await openPage(browser, server.url));
		await login(page);
	});
	after(async () => {
		if (context) await context.close();
	});

	test('search: a listed name gets hits with their explanation', async () => {
		await page.getByRole('link', { name: /^Watchlist screening/ }).click();
		await page.getByRole('heading', { level: 1, name: 'Watchlist screening' }).waitFor();
		await page.getByLabel('Name').fill('Ayman al-Zawahiri');
		await page.getByLabel('Date of birth').fill('1951');
		await page.getByRole('button', { name: 'Screen' }).click();
		const first = page.locator('ul.hits li.hit').first();
		await first.waitFor();
		assert.match(await first.innerText(), /ZAWAHIRI/i);
		assert.match(await first.innerText(), /Alert/);
		assert.ok(await first.locator('table.factors tr').count() >= 2, 'factors are shown');
		await shot(page, 'screening-search');
		assert.deepEqual(problems, []);
	});

	test('the review queue: dismiss a hit with a reason', async () => {
		await page.getByRole('link', { name: 'Review queue' }).click();
		const hit = page.locator('ul.hits li.hit').first();
		await hit.waitFor();
		await shot(page, 'screening-queue');
		const id = await hit.getAttribute('data-hit');
		const card = page.locator(`li.hit[data-hit="${id}"]`);
		const dismiss = card.getByRole('button', { name: 'Dismiss' });
		assert.ok(await dismiss.isDisabled(), 'a decision needs a reason');
		await card.getByLabel('Reason for the decision').fill('Not him: the visitor is 30 years younger.');
		await dismiss.click();
		await card.getByText('Dismissed by rso: Not him: the visitor is 30 years younger.').waitFor();
		assert.deepEqual(problems, []);
	});

	test('the lists and the summary of each version', async () => {
		await page.getByRole('link', { name: 'Lists', exact: true }).click();
		const row = page.locator('table.lists-table tr', { hasText: 'OFAC SDN' });
		await row.waitFor();
		assert.match(await row.innerText(), /8976/);
		await row.getByRole('link').click();
		await page.getByRole('heading', { name: 'Versions of OFAC SDN' }).waitFor();
		assert.match(await page.locator('table.versions-table tbody tr').first().innerText(), /8976/);
		await page.locator('table.entries-table tbody tr').first().waitFor();
		await shot(page, 'screening-lists', { fullPage: false });
		assert.equal(await page.locator('table.entries-table tbody tr').count(), 50, 'the first page of entries');
		await page.getByRole('button', { name: 'Load more' }).click();
		await page.waitForFunction(() => document.querySelectorAll('table.entries-table tbody tr').length === 100);
		assert.deepEqual(problems, []);
	});

	test('a guard screens but has no review queue', async () => {
		const g = await openPage(browser, server.url);
		try {
			await login(g.page, GUARD);
			await g.page.goto('/#/screening');
			await g.page.getByRole('heading', { level: 1, name: 'Watchlist screening' }).waitFor();
			assert.equal(await g.page.getByRole('link', { name: 'Review queue' }).count(), 0);
			assert.deepEqual(g.problems, []);
		} finally {
			await g.context.close();
		}
	});
});

describe('lookout entries and thresholds', () => {
	test('the security officer adds a lookout entry, screens the name, and removes it', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page);
			await page.goto('/#/screening/lookout');
			await page.getByRole('heading', { name: 'Thresholds' }).waitFor();
			assert.notEqual(await page.getByLabel('Review from').inputValue(), '');
			let family = '';
			for (let i = 0; i < 8; i++) family += String.fromCharCode(97 + Math.floor(Math.random() * 26));
			family = family[0].toUpperCase() + family.slice(1);
			await page.getByLabel('Name', { exact: true }).fill(`${family}, Boris`);
			await page.getByLabel('Date of birth').fill('1970');
			await page.getByLabel('Reason').fill('Followed staff home twice.');
			await page.getByLabel('Seriousness').selectOption('high');
			await page.getByRole('button', { name: 'Add to the lookout list' }).click();
			const row = page.locator('table.lookout-table tr', { hasText: family });
			await row.waitFor();
			assert.match(await row.innerText(), /Followed staff home twice\./);
			await shot(page, 'screening-lookout');

			await page.getByRole('link', { name: 'Search' }).click();
			await page.getByRole('button', { name: 'Screen' }).waitFor();
			await page.getByLabel('Name', { exact: true }).fill(`Boris ${family}`);
			await page.getByRole('button', { name: 'Screen' }).click();
			const hit = page.locator('ul.hits li.hit', { hasText: 'Lookout' }).first();
			await hit.waitFor();
			assert.match(await hit.innerText(), new RegExp(family, 'i'));

			await page.getByRole('link', { name: 'Lookout & thresholds' }).click();
			await page.getByRole('button', { name: `Remove ${family}, Boris` }).click();
			await page.locator('table.lookout-table tr', { hasText: family }).waitFor({ state: 'detached' });
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
