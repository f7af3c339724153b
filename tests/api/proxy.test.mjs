// proxy.test.mjs — behind a reverse proxy (--plain-http --trusted-proxy) the
// client's address is the last entry of X-Forwarded-For, the one the proxy
// appended; entries before it are the client's to write and never read, and
// without --trusted-proxy the header is never read at all.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api, CH_BIN, login, ownDemo } from './harness.mjs';

let demo;
let base;

before(async () => {
	demo = await ownDemo(['--plain-http', '--trusted-proxy'], 'http');
	base = demo.base;
});

after(async () => {
	if (demo) await demo.stop();
});

// Sign in as the proxy would pass it on, and read the source the server
// recorded for that session.
async function sourceOf(forwarded) {
	const h = { 'Content-Type': 'application/json' };
	if (forwarded !== undefined) h['X-Forwarded-For'] = forwarded;
	const r = await fetch(`${base}/api/v1/auth/login`, {
		method: 'POST', headers: h, body: JSON.stringify({ username: 'staff', password: 'staff-demo-passphrase' }),
	});
	assert.equal(r.status, 200, await r.text());
	const cookie = r.headers.getSetCookie().find((c) => c.startsWith('__Host-chancery_session=')).split(';')[0];
	const s = await fetch(`${base}/api/v1/auth/sessions`, { headers: { Cookie: cookie } });
	const body = await s.json();
	assert.equal(s.status, 200, JSON.stringify(body));
	return body.items.find((x) => x.current).source;
}

describe('the client address behind a trusted reverse proxy', () => {
	test('the last X-Forwarded-For entry is the client; what the client wrote before it is not', async () => {
		assert.equal(await sourceOf('198.51.100.23'), '198.51.100.23');
		assert.equal(await sourceOf('10.9.9.9, 203.0.113.5'), '203.0.113.5', 'a client-written entry is skipped');
		assert.equal(await sourceOf('2001:db8::7'), '2001:db8::7');
		assert.equal(await sourceOf('198.51.100.23, not-an-address'), '127.0.0.1', 'no address: the proxy\'s own');
		assert.equal(await sourceOf(undefined), '127.0.0.1');
	});

	test('without --trusted-proxy the header is never read', async () => {
		const r = await api(null, 'POST', '/api/v1/auth/login',
			{ username: 'guard', password: 'guard-demo-passphrase' }, { 'X-Forwarded-For': '198.51.100.99' });
		assert.equal(r.status, 200, r.text);
		const s = { cookie: r.setCookie.find((c) => c.startsWith('__Host-chancery_session=')).split(';')[0] };
		const list = await api(s, 'GET', '/api/v1/auth/sessions');
		assert.equal(list.json.items.find((x) => x.current).source, '127.0.0.1');
		await login('guard'); // the harness's own session stays usable
	});

	test('--trusted-proxy without --plain-http is refused', async () => {
		const d = mkdtempSync(join(tmpdir(), 'chancery-proxy-tls-'));
		try {
			const c = spawn(CH_BIN, ['serve', '--dir', d, '--listen', '127.0.0.1:0', '--trusted-proxy'],
				{ stdio: ['ignore', 'ignore', 'pipe'] });
			let err = '';
			c.stderr.on('data', (b) => { err += b; });
			const code = await new Promise((r) => c.once('exit', r));
			assert.equal(code, 2, err);
			assert.match(err, /--trusted-proxy is for a reverse proxy on loopback: it needs --plain-http/);
		} finally {
			rmSync(d, { recursive: true, force: true });
		}
	});
});
