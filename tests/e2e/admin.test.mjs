// tests/e2e/admin.test.mjs — users, device tokens and the audit log in the
// console, against a demo server of its own whose re-authentication window
// is short (--reauth-window 3), so that every sensitive change goes through
// the "Confirm it is you" dialog after the test outwaits the window. It
// starts that server itself (CH_BIN, default build/chancery) even when
// CH_URL is set.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, PHONE, RSO, launch, login, openPage, overflowX, shot, startServer } from './lib.mjs';

const ADMIN = { username: 'admin', password: 'admin-demo-passphrase' };
const WINDOW = 3; // seconds
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const outwait = () => sleep(WINDOW * 1000 + 600);

let server;
let browser;

before(async () => {
	// Always a server of its own, even under tests/run's shared CH_URL: it
	// needs the short window, and it changes accounts.
	server = await startServer({ args: ['--reauth-window', String(WINDOW)], own: true });
	browser = await launch();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
});

// The dialog opens for a change made after the window: a wrong password is
// refused in the dialog, the right one sends the change again.
async function confirmInDialog(page, name) {
	const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
	await dialog.waitFor();
	await shot(page, name, { fullPage: false });
	await dialog.getByLabel('Your password').fill('not my passphrase at all');
	await dialog.getByRole('button', { name: 'Confirm' }).click();
	await dialog.getByRole('alert').waitFor();
	await dialog.getByLabel('Your password').fill(ADMIN.password);
	await dialog.getByRole('button', { name: 'Confirm' }).click();
	await dialog.waitFor({ state: 'hidden' });
}

describe('the administrator', () => {
	let context;
	let page;
	let problems;

	before(async () => {
		({ context, page, problems } = await openPage(browser, server.url));
		await login(page, ADMIN);
	});
	after(async () => {
		if (context) await context.close();
	});

	test('the System menu offers users, device tokens and the audit log', async () => {
		const nav = page.getByRole('navigation', { name: 'Main' });
		for (const name of ['Users', 'Device tokens', 'Audit log']) {
			assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
		}
		assert.equal(await nav.getByText('not built').filter({ hasText: 'Users' }).count(), 0);
	});

	test('creates a user through the re-authentication dialog, sees it listed, disables it', async () => {
		await page.goto('/#/users');
		await page.locator('tr[data-username="rso"]').waitFor();
		await shot(page, 'users');
		await outwait();
		await page.getByRole('button', { name: 'New user' }).click();
		await page.getByLabel('Username').fill('night.clerk');
		await page.getByLabel('Display name').fill('Night Clerk');
		await page.getByLabel('Password', { exact: true }).fill('seven pale lanterns drift home');
		await page.getByRole('checkbox', { name: 'Analyst' }).check();
		await page.getByLabel('Clearance').selectOption('SBU');
		await shot(page, 'user-new');
		await page.getByRole('button', { name: 'Create user' }).click();
		await confirmInDialog(page, 'user-reauth');
		await page.locator('#users-notice', { hasText: 'night.clerk created' }).waitFor();
		const row = page.locator('tr[data-username="night.clerk"]');
		await row.waitFor();
		assert.match(await row.innerText(), /Night Clerk[\s\S]*Staff, Analyst|Analyst, Staff/);
		assert.match(await row.innerText(), /SBU/);
		assert.match(await row.innerText(), /Active/);

		await outwait();
		await page.getByRole('button', { name: 'Change night.clerk' }).click();
		await page.getByRole('button', { name: 'Disable night.clerk' }).click();
		await confirmInDialog(page, 'user-reauth-again');
		await page.locator('#users-notice', { hasText: 'night.clerk disabled' }).waitFor();
		// The notice shows before the list reloads: wait for the row itself
		// to say so rather than read it at once (a race on a loaded machine).
		const disabled = page.locator('tr[data-username="night.clerk"]', { hasText: 'Disabled' });
		await disabled.waitFor();
		assert.match(await disabled.innerText(), /Disabled/);
		await shot(page, 'users-after');
		assert.deepEqual(problems, []);
	});

	test('cancelling the dialog changes nothing and says so', async () => {
		await outwait();
		await page.getByRole('button', { name: 'Change guard' }).click();
		await page.getByRole('button', { name: 'Disable guard' }).click();
		const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
		await dialog.waitFor();
		await dialog.getByRole('button', { name: 'Cancel' }).click();
		await page.getByText('Cancelled: nothing was changed.').waitFor();
		assert.match(await page.locator('tr[data-username="guard"]').innerText(), /Active/);
		assert.deepEqual(problems, []);
	});

	test('makes a device token, sees it once, and revokes it after confirming', async () => {
		await page.goto('/#/devices');
		await page.getByRole('heading', { name: 'Device tokens' }).waitFor();
		await outwait();
		await page.getByRole('button', { name: 'New device token' }).click();
		await page.getByLabel('Name').fill('Main gate reader');
		await page.getByLabel(/people of the post/).check();
		await page.getByRole('button', { name: 'Make token' }).click();
		await confirmInDialog(page, 'device-reauth');
		const token = page.locator('#device-token');
		await token.waitFor();
		assert.match(await token.innerText(), /^chd_\S{20,}$/);
		await page.getByText('it is shown this once').waitFor();
		await shot(page, 'device-token');
		await page.getByRole('button', { name: 'I have copied it' }).click();
		assert.equal(await page.locator('#device-token').count(), 0, 'the token is gone once closed');

		const row = page.locator('tr[data-device="Main gate reader"]');
		assert.match(await row.innerText(), /Active/);
		assert.match(await row.innerText(), /people\.read/);
		await row.getByRole('button', { name: 'Revoke Main gate reader' }).click();
		await row.getByRole('button', { name: 'Yes, revoke' }).click();
		await page.getByText('The token of “Main gate reader” is revoked.').waitFor();
		// As for users: wait for the reloaded row, do not read it at once.
		await page.locator('tr[data-device="Main gate reader"]', { hasText: 'Revoked' }).waitFor();
		await shot(page, 'devices');
		assert.deepEqual(problems, []);
	});
});

describe('the security officer', () => {
	test('sees the audit log but not device tokens, and the log verifies in the browser', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await login(page, RSO);
			const nav = page.getByRole('navigation', { name: 'Main' });
			assert.equal(await nav.getByRole('link', { name: 'Device tokens' }).count(), 0);
			assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 1);
			await page.goto('/#/users');
			await page.locator('tr[data-username="admin"]').waitFor();
			assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0, 'read-only for the RSO');

			await page.goto('/#/audit');
			await page.locator('#cp-size').waitFor();
			await page.locator('.audit-table tbody tr').first().waitFor();
			await shot(page, 'audit');
			const pub = server.dir && join(server.dir, 'keys', 'audit.pub');
			if (pub && existsSync(pub)) await page.getByLabel(/Verifier key/).fill(readFileSync(pub, 'utf8').trim());
			await page.getByRole('button', { name: 'Verify' }).click();
			const result = page.locator('#verify-result');
			await result.waitFor();
			const text = await result.innerText();
			assert.match(text, /The log verifies/);
			assert.match(text, /Verified [\d,]+ records against checkpoint [\d,]+/);
			assert.match(text, /inclusion proof .* leads to the checkpoint’s root/);
			if (pub && existsSync(pub)) assert.match(text, /Ed25519 signature verifies/);
			await shot(page, 'audit-verified', { fullPage: false });
			await page.locator('.audit-table').scrollIntoViewIfNeeded();
			await page.screenshot({ path: join(ARTIFACTS, 'audit-records.png') });

			// A wrong key is named as such.
			await page.getByLabel(/Verifier key/).fill('other.invalid/log+00000000+AQ' + 'A'.repeat(42));
			await page.getByRole('button', { name: 'Verify' }).click();
			await page.locator('#verify-result', { hasText: 'does not verify' }).waitFor();

			await page.setViewportSize(PHONE);
			await page.reload();
			await page.locator('#cp-size').waitFor();
			await page.locator('.audit-table tbody tr').first().waitFor();
			assert.equal(await overflowX(page), 0, 'the audit page fits a phone');
			await shot(page, 'audit-phone', { fullPage: false });
			await page.locator('#verify-result').count();
			await page.goto('/#/users');
			await page.locator('tr[data-username="admin"]').waitFor();
			assert.equal(await overflowX(page), 0, 'the users page fits a phone');
			await shot(page, 'users-phone');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});
