// tests/e2e/console.test.mjs — the web console in headless Chromium.
//
//   CH_URL=https://127.0.0.1:18443 node --test tests/e2e/
//   (or, from web/: npm run test:e2e)
//
// Screenshots of each main page go to $CH_E2E_ARTIFACTS (/tmp/chancery-e2e).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	GUARD, PHONE, RSO, launch, login, openPage, overflowX, sessionStatus, shot, startServer,
} from './lib.mjs';

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

describe('signing in', () => {
	test('the login page loads under the CSP with no errors', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			const res = await page.goto('/');
			assert.equal(res.status(), 200);
			const csp = res.headers()['content-security-policy'] || '';
			assert.match(csp, /script-src 'self'/, 'the page is served with the strict CSP');
			assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
			await page.getByLabel('Username').waitFor();
			await page.getByLabel('Password').waitFor();
			assert.equal(await page.title(), 'Chancery');
			// The stylesheet applied (CSP would block a misplaced one).
			const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
			assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
			await shot(page, 'login');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('a wrong password shows a clear error and does not sign in', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await page.goto('/');
			await page.getByLabel('Username').fill(RSO.username);
			await page.getByLabel('Password').fill('not-the-passphrase');
			await page.getByRole('button', { name: 'Sign in' }).click();
			const alert = page.locator('#login-error');
			await alert.waitFor();
			assert.ok((await alert.innerText()).trim().length > 5, 'the error says something');
			assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
			assert.equal(await page.getByLabel('Password').inputValue(), '', 'the wrong password is cleared');
			await shot(page, 'login-error');
			assert.equal(await sessionStatus(page), 401);
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});

describe('the desk at full width', () => {
	let context;
	let page;
	let problems;

	before(async () => {
		({ context, page, problems } = await openPage(browser, server.url));
		await login(page);
		// The security officer starts on the dashboard; these tests start
		// at People & status.
		await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
		await page.goto('/#/people');
	});
	after(async () => {
		if (context) await context.close();
	});

	test('the shell shows the post, the user and every capability', async () => {
		const top = page.locator('header.topbar');
		assert.match(await top.innerText(), /Security officer/);
		const nav = page.getByRole('navigation', { name: 'Main' });
		for (const label of ['People & status', 'Threats & incidents', 'Risk register', 'Facility & access',
			'Visitors', 'Watchlist screening', 'Staff safety', 'Crisis', 'Sharing', 'HQ', 'Audit log', 'Users']) {
			assert.equal(await nav.getByRole('link', { name: new RegExp(`^${label.replace(/[&]/g, '\\$&')}`) }).count(), 1, label);
		}
		await page.getByRole('heading', { name: 'People & status' }).waitFor();
		await page.locator('table.people-table tbody tr').first().waitFor();
		await shot(page, 'people');
	});

	test('"Load more" brings the next page', async (t) => {
		const rows = page.locator('table.people-table tbody tr');
		const first = await rows.count();
		const more = page.getByRole('button', { name: 'Load more' });
		if (first < 50 || (await more.count()) === 0) {
			t.skip(`only ${first} people: a single page`);
			return;
		}
		await more.click();
		await page.waitForFunction((n) => document.querySelectorAll('table.people-table tbody tr').length > n, first);
		const ids = await page.$$eval('table.people-table tbody a.row-link', (as) => as.map((a) => a.getAttribute('href')));
		assert.equal(new Set(ids).size, ids.length, 'no one is listed twice');
	});

	test('searching "Varga" finds Helena Varga, diplomatic agent', async () => {
		await page.getByLabel('Search').fill('Varga');
		await page.waitForURL(/q=Varga/); // the search is kept in the address
		await page.getByRole('status').filter({ hasText: /match/ }).waitFor();
		const row = page.locator('table.people-table tbody tr', { has: page.getByRole('link', { name: 'Helena Varga' }) });
		await row.waitFor();
		assert.match(await row.innerText(), /Diplomatic agent/);
		const names = await page.$$eval('table.people-table tbody a.row-link', (as) => as.map((a) => a.textContent));
		assert.ok(names.every((n) => /Varga/i.test(n)), `only Vargas are listed: ${names.join(', ')}`);
		await shot(page, 'people-search');
	});

	test('her profile shows the immunity in plain words', async () => {
		await page.getByRole('link', { name: 'Helena Varga' }).click();
		await page.getByRole('heading', { level: 1, name: 'Helena Varga' }).waitFor();
		const panel = page.locator('section.immunity');
		await panel.getByText('May not be arrested or detained').waitFor();
		assert.match(await panel.innerText(), /Criminal jurisdiction\s*Immune/);
		assert.match(await panel.innerText(), /VCDR|Art/, 'the articles are shown');
		await shot(page, 'person');
	});

	test('the edit form is offered to the security officer and shows server field errors', async () => {
		await page.getByRole('link', { name: 'Edit' }).click();
		await page.getByRole('heading', { level: 1, name: /^Edit / }).waitFor();
		assert.equal(await page.getByLabel('Given name').inputValue(), 'Helena');
		await shot(page, 'person-edit');
		// Nothing changed: nothing is sent.
		await page.getByRole('button', { name: 'Save changes' }).click();
		await page.getByText('Nothing has changed.').waitFor();
		// A malformed nationality comes back as a 422 with a field error beside the field.
		await page.getByLabel('Nationality').fill('Q9');
		await page.getByRole('button', { name: 'Save changes' }).click();
		const fieldError = page.locator('#nationality-error');
		await fieldError.waitFor();
		assert.ok((await fieldError.innerText()).length > 3);
		assert.equal(await page.getByLabel('Nationality').getAttribute('aria-invalid'), 'true');
		await shot(page, 'person-edit-error');
		await page.getByRole('link', { name: 'Cancel' }).click();
		await page.getByRole('heading', { level: 1, name: 'Helena Varga' }).waitFor();
		// The 422 is the expected answer here, not a fault of the page.
		for (let i = problems.length - 1; i >= 0; i--) {
			if (/status of 422/.test(problems[i])) problems.splice(i, 1);
		}
	});

	test('incidents: the list, one incident with its articles, and a triage with a reason', async () => {
		await page.getByRole('link', { name: /^Threats & incidents/ }).click();
		await page.getByRole('heading', { level: 1, name: 'Threats & incidents' }).waitFor();
		await page.locator('table.incidents-table tbody tr').first().waitFor();
		assert.ok(await page.locator('table.incidents-table tbody tr').count() >= 25, 'the demo history');
		await shot(page, 'incidents');
		// A year of routine history: narrow to assaults to find it.
		await page.locator('#inc-type').selectOption('kidnapping_or_assault');
		await page.getByRole('link', { name: 'Diplomat assaulted during a robbery' }).click();
		await page.getByRole('heading', { level: 1, name: 'Diplomat assaulted during a robbery' }).waitFor();
		await page.getByText('VCDR 1961 Art. 29').waitFor();
		await page.getByRole('link', { name: 'Ida Nygaard' }).waitFor();
		await page.getByText('Closed by system').waitFor();
		await shot(page, 'incident');
		await page.getByRole('link', { name: '← Incidents' }).click();
		await page.locator('#inc-type').selectOption('');
		await page.locator('#inc-status').selectOption('reported');
		await page.getByRole('link', { name: 'Attempted fraud against the consular section' }).click();
		const triage = page.getByRole('button', { name: 'Triage' });
		await triage.waitFor();
		assert.equal(await triage.isDisabled(), true, 'a move needs a reason');
		await page.getByLabel('Reason').fill('Caller traced to a known fraud ring.');
		await triage.click();
		await page.getByText('Triaged by rso').waitFor();
		await page.getByText('Caller traced to a known fraud ring.').waitFor();
		await shot(page, 'incident-triaged');
	});

	test('a page not built yet says so plainly', async () => {
		await page.getByRole('link', { name: /^Staff safety/ }).click();
		await page.getByRole('heading', { level: 1, name: 'Staff safety' }).waitFor();
		await page.getByText('Not built yet').waitFor();
		await shot(page, 'not-built');
	});

	test('post and zones are shown', async () => {
		await page.getByRole('link', { name: /^Post & zones/ }).click();
		await page.getByRole('heading', { level: 2, name: 'Zones' }).waitFor();
		await page.locator('.zones li, .zones + p, section p.muted').first().waitFor();
		await shot(page, 'post-zones');
	});

	test('signing out returns to the login page and ends the session', async () => {
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.getByLabel('Username').waitFor();
		assert.equal(await sessionStatus(page), 401);
		await page.reload();
		await page.getByLabel('Username').waitFor();
		assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
		await shot(page, 'signed-out');
	});

	test('no CSP violation or script error happened on the way', () => {
		assert.deepEqual(problems, []);
	});
});

describe('the people list on a phone (390×844)', () => {
	let context;
	let page;
	let problems;

	before(async () => {
		({ context, page, problems } = await openPage(browser, server.url, PHONE));
		await login(page);
		await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
		await page.goto('/#/people');
	});
	after(async () => {
		if (context) await context.close();
	});

	test('the list turns into cards that fit the screen', async () => {
		await page.locator('table.people-table tbody tr').first().waitFor();
		assert.equal(await page.locator('table.people-table thead').isVisible(), false, 'no table header on a phone');
		assert.ok((await overflowX(page)) <= 0, 'nothing scrolls sideways');
		await shot(page, 'phone-people');
	});

	test('search and open a profile by touch', async () => {
		await page.getByLabel('Search').fill('Varga');
		const link = page.getByRole('link', { name: 'Helena Varga' });
		await link.waitFor();
		const box = await link.boundingBox();
		assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the name is on screen');
		await link.tap();
		await page.getByRole('heading', { level: 1, name: 'Helena Varga' }).waitFor();
		await page.getByText('May not be arrested or detained').waitFor();
		assert.ok((await overflowX(page)) <= 0, 'the profile fits the screen');
		await shot(page, 'phone-person');
	});

	test('the menu opens as a drawer and navigates', async () => {
		const nav = page.getByRole('navigation', { name: 'Main' });
		assert.equal(await nav.isVisible(), false, 'the navigation starts closed');
		await page.getByRole('button', { name: 'Menu' }).tap();
		await nav.getByRole('link', { name: /^Staff safety/ }).waitFor({ state: 'visible' });
		await shot(page, 'phone-menu', { fullPage: false });
		await nav.getByRole('link', { name: /^Staff safety/ }).tap();
		await page.getByText('Not built yet').waitFor();
		await nav.waitFor({ state: 'hidden' });
	});

	test('no CSP violation or script error happened on the phone', () => {
		assert.deepEqual(problems, []);
	});
});

describe('a guard reads but does not edit', () => {
	test('no "New person", no "Edit", and the form refuses', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, GUARD);
			await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
			await page.goto('/#/people');
			await page.getByLabel('Search').fill('Varga');
			await page.getByRole('link', { name: 'Helena Varga' }).click();
			await page.getByRole('heading', { level: 1, name: 'Helena Varga' }).waitFor();
			await page.getByText('May not be arrested or detained').waitFor();
			assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0);
			await page.goto('/#/people');
			await page.locator('table.people-table tbody tr').first().waitFor();
			assert.equal(await page.getByRole('link', { name: 'New person' }).count(), 0);
			await page.goto('/#/people/new');
			await page.getByText('Only security officers and administrators').waitFor();
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});

describe('keyboard only', () => {
	test('sign in, search and open a profile without a mouse', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		const tabTo = async (check, what, max = 40) => {
			for (let i = 0; i < max; i++) {
				await page.keyboard.press('Tab');
				if (await page.evaluate(check)) return;
			}
			assert.fail(`Tab never reached ${what}`);
		};
		try {
			await page.goto('/');
			await page.getByLabel('Username').waitFor();
			// The username field has focus on arrival (wait for it: on a
			// loaded machine the focus lands a moment after the field).
			await page.waitForFunction(() => document.activeElement?.id === 'login-username');
			await page.keyboard.type(RSO.username);
			await page.keyboard.press('Tab');
			await page.waitForFunction(() => document.activeElement?.id === 'login-password');
			await page.keyboard.type(RSO.password);
			await page.keyboard.press('Enter');
			await page.getByRole('button', { name: 'Sign out' }).waitFor();
			// The security officer starts on the dashboard: on to People.
			await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
			await tabTo(() => document.activeElement.textContent.trim() === 'People & status', 'the People link');
			await page.keyboard.press('Enter');
			await page.locator('table.people-table tbody tr').first().waitFor();
			await tabTo(() => document.activeElement.id === 'people-q', 'the search box');
			await page.keyboard.type('Varga');
			await page.getByRole('link', { name: 'Helena Varga' }).waitFor();
			await page.waitForURL(/q=Varga/);
			await tabTo(() => document.activeElement.textContent === 'Helena Varga', 'Helena Varga');
			const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
			assert.notEqual(ring, 'none', 'the focused link shows a focus ring');
			await page.keyboard.press('Enter');
			await page.getByRole('heading', { level: 1, name: 'Helena Varga' }).waitFor();
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
