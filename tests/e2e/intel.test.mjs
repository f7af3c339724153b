// tests/e2e/intel.test.mjs — the intelligence pages in headless Chromium:
// an analyst records a graded report through the form and finds it in the
// list with its grading in words; the source registry shows the record
// beside the judgement; the security officer reveals a sealed identity;
// a guard has no Intelligence entry.  Screenshots go to $CH_E2E_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GUARD, PHONE, RSO, launch, login, openPage, overflowX, shot, startServer } from './lib.mjs';

const ANALYST = { username: 'analyst', password: 'analyst-demo-passphrase' };

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

describe('intelligence', () => {
	test('an analyst records a graded report and finds it, graded in words', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, ANALYST);
			await page.getByRole('link', { name: 'Intelligence' }).first().click();
			await page.getByRole('link', { name: 'New report' }).click();
			const title = `E2E report ${Date.now().toString(36)}`;
			await page.getByLabel('Title').fill(title);
			await page.getByLabel('Threat category').selectOption('terrorism');
			const source = await page.locator('#f-source_id option', { hasText: 'HORNBILL' }).getAttribute('value');
			await page.getByLabel('Source', { exact: true }).selectOption(source);
			await page.getByLabel('Reliability of the source').selectOption('B');
			await page.getByLabel('Credibility of the information').selectOption('3');
			await page.getByText('B3 — usually reliable, possibly true').waitFor();
			await page.getByRole('checkbox', { name: 'Jabhat al-Sahel' }).check();
			await page.getByRole('button', { name: 'Record report' }).click();
			await page.getByRole('heading', { name: title }).waitFor();
			await page.getByText('B3 — usually reliable, possibly true').first().waitFor();
			assert.equal(await page.getByRole('link', { name: 'Jabhat al-Sahel' }).count(), 1);
			await shot(page, 'intel-report-recorded');
			await page.getByRole('link', { name: '← Intelligence' }).click();
			const row = page.getByRole('row', { name: new RegExp(title) });
			await row.waitFor();
			assert.match(await row.innerText(), /B3/);
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('the registry shows each record beside the judgement; the officer reveals an identity', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, RSO);
			await page.getByRole('link', { name: 'Source registry' }).click();
			await page.getByRole('link', { name: 'ZEBRA' }).click();
			await page.getByText("The analyst's judgement").waitFor();
			await page.getByText('What the record suggests').waitFor();
			await page.goto('/#/sources');
			await page.getByRole('link', { name: 'HORNBILL' }).click();
			await page.getByRole('button', { name: /Reveal/ }).click();
			await page.getByText('This reveal is in the audit log').waitFor();
			await shot(page, 'intel-identity-revealed');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('places list distance and bearing; the list fits a phone; guards have no entry', async () => {
		const { context, page, problems } = await openPage(browser, server.url, PHONE);
		try {
			await login(page, RSO);
			await page.goto('/#/intel/places');
			await page.getByRole('link', { name: 'Eastleigh market' }).waitFor();
			assert.match(await page.getByRole('row', { name: /Eastleigh market/ }).innerText(), /km E/);
			assert.equal(await overflowX(page), 0);
			await shot(page, 'intel-places-phone');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
		const g = await openPage(browser, server.url);
		try {
			await login(g.page, GUARD);
			assert.equal(await g.page.getByRole('link', { name: 'Intelligence' }).count(), 0);
			await g.page.goto('/#/intel');
			await g.page.getByText('Not for your role').waitFor();
		} finally {
			await g.context.close();
		}
	});
});
