// tests/e2e/lib.mjs — shared helpers for the console's end-to-end tests.
//
// playwright-core is a devDependency of web/ (web/package.json); it is
// resolved from web/node_modules through createRequire, so these tests run
// from any working directory without NODE_PATH:
//
//   (cd web && npm ci)                  # once
//   CH_URL=https://127.0.0.1:8443 node --test tests/e2e/
//
// Environment:
//   CH_URL            base URL of a running chancery (self-signed TLS is fine).
//                     Unset: start `chancery demo --listen 127.0.0.1:0
//                     --port-file F` from CH_BIN (default build/chancery) in
//                     a temporary directory, and stop it at the end.
//   CH_BIN            the chancery binary to start when CH_URL is unset.
//   CH_CHROMIUM       the browser (default /usr/bin/chromium, Debian's).
//   CH_E2E_ARTIFACTS  where screenshots go (default /tmp/chancery-e2e).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = process.env.CH_E2E_ARTIFACTS || '/tmp/chancery-e2e';
export const CHROMIUM = process.env.CH_CHROMIUM || '/usr/bin/chromium';
export const RSO = { username: 'rso', password: 'rso-demo-passphrase' };
export const GUARD = { username: 'guard', password: 'guard-demo-passphrase' };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---- the server under test -------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Wait for `chancery demo --port-file` to name its port, then for /healthz.
async function waitUp(portFile, child, log, ms = 600000) {
	const deadline = Date.now() + ms;
	const exited = () => child.exitCode !== null || child.signalCode !== null;
	let port = '';
	while (!port && Date.now() < deadline) {
		if (exited()) throw new Error(`chancery exited (${child.exitCode ?? child.signalCode}) before serving:\n${log.join('')}`);
		try {
			port = readFileSync(portFile, 'utf8').trim();
		} catch {
			await sleep(100);
		}
	}
	if (!port) throw new Error(`chancery wrote no port file within ${ms} ms:\n${log.join('')}`);
	const url = `https://127.0.0.1:${port}`;
	const agent = { rejectUnauthorized: false };
	let last = '';
	while (Date.now() < deadline) {
		if (exited()) throw new Error(`chancery exited (${child.exitCode ?? child.signalCode}):\n${log.join('')}`);
		const status = await new Promise((resolve) => {
			const req = httpsGet(`${url}/healthz`, agent, (res) => {
				let body = '';
				res.on('data', (d) => { body += d; });
				// Up, and the watchlist index built (screening answers
				// 503 until then).
				res.on('end', () => resolve(res.statusCode === 200 && /"screening":\s*"building"/.test(body) ? 'building' : res.statusCode));
			});
			req.on('error', (err) => resolve(err.message));
			req.setTimeout(2000, () => req.destroy(new Error('timeout')));
		});
		if (status === 200) return url;
		last = String(status);
		await sleep(150);
	}
	throw new Error(`chancery did not answer /healthz at ${url} (${last}):\n${log.join('')}`);
}

// Returns { url, stop(), dir }: CH_URL as given (dir null), or a demo post
// started here on a free port in a temporary directory (dir: the demo's
// data directory, with keys/audit.pub), removed again by stop(). `args` go
// to `chancery demo` (e.g. ['--reauth-window', '4']); `own` starts one even
// when CH_URL is set (a test that needs such options, or changes accounts).
export async function startServer({ args = [], own = false } = {}) {
	if (process.env.CH_URL && !own) return { url: process.env.CH_URL.replace(/\/+$/, ''), stop: async () => {}, dir: null };
	const bin = process.env.CH_BIN || join(REPO, 'build', 'chancery');
	if (!existsSync(bin)) {
		throw new Error(`Set CH_URL to a running chancery (e.g. https://127.0.0.1:8443), or build ${bin} (or set CH_BIN).`);
	}
	const dir = mkdtempSync(join(tmpdir(), 'chancery-e2e-'));
	const portFile = join(dir, 'port');
	const log = [];
	const child = spawn(bin, ['demo', '--dir', join(dir, 'demo'), '--listen', '127.0.0.1:0', '--port-file', portFile, '--quiet', ...args], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout.on('data', (d) => log.push(String(d)));
	child.stderr.on('data', (d) => log.push(String(d)));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await gone;
			clearTimeout(timer);
		}
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		return { url: await waitUp(portFile, child, log), stop, dir: join(dir, 'demo') };
	} catch (err) {
		await stop();
		throw err;
	}
}

// ---- the browser -------------------------------------------------------------------

export function launch() {
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// A fresh context and page that record every console error, page error and
// Content-Security-Policy violation in `problems`.
export async function openPage(browser, baseURL, viewport = DESKTOP) {
	const context = await browser.newContext({
		baseURL,
		viewport,
		ignoreHTTPSErrors: true,
		deviceScaleFactor: 1,
		hasTouch: viewport.width < 600,
		isMobile: viewport.width < 600,
		reducedMotion: 'reduce',
	});
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	const problems = [];
	await page.exposeBinding('__chCspViolation', (_src, text) => problems.push(`CSP violation: ${text}`));
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__chCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
		});
	});
	page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
	page.on('console', (msg) => {
		if (msg.type() !== 'error') return;
		const text = msg.text();
		// The console learns that nobody is signed in from a 401; that is the
		// protocol, not a fault. Any other failed load or error is.
		if (/Failed to load resource: the server responded with a status of 401/.test(text)) return;
		problems.push(`console error: ${text}`);
	});
	return { context, page, problems };
}

export async function login(page, { username, password } = RSO) {
	await page.goto('/');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function shot(page, name, { fullPage = true } = {}) {
	mkdirSync(ARTIFACTS, { recursive: true });
	const path = join(ARTIFACTS, `${name}.png`);
	// A full-page capture of a scrolled page paints the sticky top bar mid-page.
	if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path, fullPage });
	return path;
}

// The session cookie lives in the browser: ask from inside the page.
export function sessionStatus(page) {
	return page.evaluate(async () => {
		const res = await fetch('/api/v1/auth/session', { credentials: 'same-origin' });
		return res.status;
	});
}

// Horizontal overflow at the current viewport, in pixels (0 = fits).
export function overflowX(page) {
	return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
