// zz_secrets.test.mjs — runs last (files run in name order, one at a time):
// no password, session token or CSRF token that this run used appears in any
// line of the server's log.  Error bodies are checked as they arrive (api() in
// harness.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { api, login, runSecrets, server } from './harness.mjs';

test('the server log holds none of the secrets the run used', async () => {
	const info = await server();
	// Plant a few more: a wrong password, a login with a secret as the username.
	await api(null, 'POST', '/api/v1/auth/login', { username: 'rso', password: 'planted-wrong-passphrase-1' });
	await login('rso', { fresh: true });
	const secrets = runSecrets();
	assert.ok(secrets.length >= 10, `the run recorded ${secrets.length} secrets: too few to mean anything`);
	assert.ok(secrets.includes('planted-wrong-passphrase-1'));
	const log = readFileSync(info.log, 'utf8');
	// Log lines are the JSON objects on stderr.  The demo command also
	// prints its own demo logins on stdout, on purpose, for the operator
	// who started it: that banner is not the log.
	const lines = log.split('\n').filter((l) => l.startsWith('{'));
	assert.ok(lines.length >= 50, `the log has ${lines.length} lines`);
	const leaks = [];
	for (const secret of secrets)
		for (const line of lines)
			if (line.includes(secret)) leaks.push(`${secret.slice(0, 4)}…: ${line.slice(0, 160)}`);
	assert.deepEqual(leaks, []);
});
