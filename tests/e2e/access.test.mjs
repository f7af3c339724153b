// tests/e2e/access.test.mjs — Facility & access in headless Chromium: the
// access log of the demo's day with its filters, and the occupancy and muster
// board; a member of staff does not get the page.
//
//   CH_URL=https://127.0.0.1:18443 node --test tests/e2e/access.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, login, openPage, shot, startServer } from './lib.mjs';

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

describe('Facility & access', () => {
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

	test('the access log lists the demo day and filters by decision', async () => {
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Facility & access/ }).click();
		await page.getByRole('heading', { name: 'Facility & access' }).waitFor();
		const rows = page.locator('table.access-table tbody tr');
		await rows.first().waitFor();
		assert.ok(await rows.count() >= 50, 'a day of decisions');
		await shot(page, 'access-log');
		await page.getByLabel('Decision').selectOption('deny');
		await page.waitForFunction(() => location.hash.includes('decision=deny'));
		await page.waitForFunction(() => {
			const cells = [...document.querySelectorAll('table.access-table tbody tr td[data-label="Decision"]')];
			return cells.length > 0 && cells.every((c) => !/Granted|Exit/.test(c.textContent));
		});
		const text = await page.locator('table.access-table tbody').innerText();
		assert.match(text, /Wrong PIN|Unknown badge|PIN required/);
		assert.deepEqual(problems, []);
	});

	test('the occupancy board counts zones, lists who is inside and offers the muster CSV', async () => {
		await page.getByRole('link', { name: 'Occupancy & muster' }).click();
		await page.getByRole('heading', { name: 'Per zone' }).waitFor();
		const zones = await page.locator('section[aria-labelledby="zones-h"] tbody tr').count();
		assert.ok(zones >= 6, `${zones} zones`);
		const sub = await page.locator('.page-sub').innerText();
		const inside = Number(sub.match(/^(\d+) inside/)[1]);
		assert.equal(await page.locator('section[aria-labelledby="muster-h"] tbody tr').count(), inside);
		assert.ok(inside >= 1, 'the night guard at least');
		assert.equal(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'),
			'/api/v1/access/muster?format=csv');
		await page.getByRole('heading', { name: 'Anomalies (7 days)' }).waitFor();
		await shot(page, 'access-occupancy');
		assert.deepEqual(problems, []);
	});
});

describe('the alarm board', () => {
	test('a guard acknowledges the waiting alarm with a note; the resolved one is listed', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, { username: 'guard', password: 'guard-demo-passphrase' });
			await page.goto('/#/facility/alarms');
			await page.getByRole('heading', { name: 'Alarms', exact: true }).waitFor();
			const tamper = page.locator('li.alarm-raised', { hasText: 'Tamper' });
			await tamper.waitFor();
			assert.match(await page.locator('ul.alarms').last().innerText(), /Door held open/);
			await shot(page, 'access-alarms');
			await tamper.getByLabel('Note').fill('On my way to the CAA door');
			await tamper.getByRole('button', { name: 'Acknowledge' }).click();
			const acked = page.locator('li.alarm-acknowledged', { hasText: 'Tamper' });
			await acked.waitFor();
			assert.match(await acked.innerText(), /On my way to the CAA door/);
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});

describe('the tour report', () => {
	test('the demo\'s night round is listed with its four checkpoints', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page);
			await page.goto('/#/facility/tours');
			await page.getByRole('heading', { name: 'Guard tours' }).waitFor();
			const row = page.locator('table.tours-table tbody tr', { hasText: 'Night perimeter' });
			await row.waitFor();
			assert.equal(await row.locator('.badge').count(), 4);
			assert.match(await row.innerText(), /completed/);
			await shot(page, 'access-tours');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});

describe('Facility & access for staff', () => {
	test('staff have no link to it and are told so by address', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, { username: 'staff', password: 'staff-demo-passphrase' });
			const nav = page.getByRole('navigation', { name: 'Main' });
			assert.equal(await nav.getByRole('link', { name: /^Facility & access/ }).count(), 0);
			await page.goto('/#/facility');
			await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
