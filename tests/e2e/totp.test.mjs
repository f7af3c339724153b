// tests/e2e/totp.test.mjs — signing in with a second factor in the console:
// a security officer of a post whose rule makes TOTP mandatory is led
// through the enrolment (QR code as a data: image under the CSP, the typed
// key, a first code, the recovery codes), then signs in again with a code
// from the app; a code used before is refused with a clear message; "Your
// sessions & security" lists the sessions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, openPage, REPO, shot, startServer } from './lib.mjs';
import { totp } from '../api/totp.mjs';

let server;
let browser;
const PASSWORD = 'amber lanterns drift over the harbour';
const username = `e2e-rso-${Date.now().toString(36)}`;
let secret;
let enrolCode;
let enrolStep; // the 30-second step the enrolment code belonged to
const stepNow = () => Math.floor(Date.now() / 30000);

// As the demo administrator, through the API: a post (its rule is the
// default, "privileged"); then a security officer there with the CLI (the
// demo post's administrator manages the users of the demo post only).
async function makeOfficer() {
	const { context } = await openPage(browser, server.url);
	const name = `E2E consulate ${Date.now().toString(36)}`;
	try {
		const r = context.request;
		const login = await r.post('/api/v1/auth/login',
			{ data: { username: 'admin', password: 'admin-demo-passphrase' } });
		assert.equal(login.status(), 200, await login.text());
		const csrf = (await login.json()).csrf_token;
		const post = await r.post('/api/v1/posts', {
			headers: { 'X-CSRF-Token': csrf },
			data: { name, kind: 'consulate', country: 'KE', city: 'Mombasa', timezone: 'Africa/Nairobi' },
		});
		assert.equal(post.status(), 201, await post.text());
	} finally {
		await context.close();
	}
	const bin = process.env.CH_BIN || join(REPO, 'build', 'chancery');
	const made = spawnSync(bin, ['user', 'add', '--dir', server.dir, username, '--role', 'security_officer',
		'--post', name, '--clearance', 'SECRET', '--password-stdin'], { input: `${PASSWORD}\n`, encoding: 'utf8' });
	assert.equal(made.status, 0, made.stderr);
}

async function passwordStep(page) {
	await page.goto('/');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

before(async () => {
	server = await startServer({ own: true });
	browser = await launch();
	await makeOfficer();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
});

describe('second factor in the console', () => {
	test('a security officer must enrol: QR code, key, first code, recovery codes', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await passwordStep(page);
			await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
			const img = page.getByAltText('QR code to scan with the authenticator app');
			await img.waitFor();
			assert.match(await img.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
			assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the QR image rendered');
			secret = (await page.locator('.totp-secret').innerText()).replace(/\s+/g, '');
			assert.match(secret, /^[A-Z2-7]{32}$/);
			await shot(page, 'totp-enrol');
			enrolStep = stepNow();
			enrolCode = totp(secret);
			await page.getByLabel('Code').fill(enrolCode);
			await page.getByRole('button', { name: 'Confirm' }).click();
			const codes = page.getByRole('list', { name: 'Recovery codes' }).locator('li');
			await page.getByRole('heading', { name: 'Keep your recovery codes' }).waitFor();
			assert.equal(await codes.count(), 10);
			await shot(page, 'totp-recovery-codes');
			await page.getByRole('button', { name: /continue/ }).click();
			await page.getByRole('button', { name: 'Sign out' }).waitFor();
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('signing in asks for the code; a code used before is refused', async () => {
		const { context, page, problems } = await openPage(browser, server.url);
		try {
			await passwordStep(page);
			await page.getByRole('heading', { name: 'Second factor' }).waitFor();
			// The enrolment spent its code: a replay.  (On a slow machine
			// more than one step may have passed: the code is then simply
			// out of the window, and refused for that.)
			const replayInWindow = stepNow() - enrolStep <= 1;
			await page.getByLabel('Code').fill(enrolCode);
			await page.getByRole('button', { name: 'Verify' }).click();
			const err = page.locator('#code-error');
			await err.waitFor();
			if (replayInWindow)
				assert.match(await err.innerText(), /used already/);
			await shot(page, 'totp-replay');
			// A fresh code: the current step's, or the next one's while
			// the current step is still the one the enrolment used.
			await page.getByLabel('Code').fill(totp(secret, stepNow() === enrolStep ? 1 : 0));
			await page.getByRole('button', { name: 'Verify' }).click();
			await page.getByRole('button', { name: 'Sign out' }).waitFor();
			await page.goto('/#/account');
			await page.getByRole('heading', { name: 'Your sessions & security' }).waitFor();
			await page.locator('#totp-state').waitFor();
			assert.match(await page.locator('#totp-state').innerText(), /authenticator app is set up/);
			assert.ok(await page.getByText('This session').count() === 1);
			await shot(page, 'your-sessions');
			const replayProblems = problems.filter((p) => !/status of 401/.test(p));
			assert.deepEqual(replayProblems, []);
		} finally {
			await context.close();
		}
	});
});
