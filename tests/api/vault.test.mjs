// vault.test.mjs — the data key and backups against the running server: a key
// rotation and a backup made by the CLI while the server keeps answering and
// writing, then the old key retired; contacts read the same throughout.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { api, CH_BIN, DSN, get, login, newPerson, server } from './harness.mjs';

const run = promisify(execFile);

async function chancery(...args) {
	const info = await server();
	const all = [...args, '--dir', info.dir];
	if (DSN) all.push('--db', DSN);
	return run(CH_BIN, all, { timeout: 60000 });
}

describe('data key and backups while the server serves', () => {
	test('rotate, back up and retire under load; contacts unchanged', async () => {
		const rso = await login('rso');
		const p = await newPerson({ email: 'vault.test@example.org', phone: '+254 20 555 0199' });
		const before = await chancery('key', 'list');
		const oldId = before.stdout.split('\n')[0].slice(0, 8);
		assert.match(oldId, /^[0-9a-f]{8}$/);

		// Load: the server keeps writing and reading sealed fields.
		let stop = false;
		let version = p.version ?? 1;
		const errors = [];
		const load = (async () => {
			for (let i = 0; !stop; i++) {
				const w = await api(rso, 'PATCH', `/api/v1/people/${p.id}`,
					{ phone: `+254 20 555 ${String(1000 + (i % 9000))}` },
					{ 'If-Match': `"${version}"` });
				if (w.status !== 200) errors.push(`PATCH ${w.status} ${w.text}`);
				else version = w.json.version;
				const r = await get(rso, `/api/v1/people/${p.id}`);
				if (r.status !== 200 || r.json.email !== 'vault.test@example.org')
					errors.push(`GET ${r.status} ${r.text}`);
			}
		})();

		const rot = await chancery('key', 'rotate', '--wait', '2', '--batch', '5');
		assert.match(rot.stdout, /new data key [0-9a-f]{8} is current/);
		const dir = mkdtempSync(join(tmpdir(), 'chancery-vault-'));
		try {
			const b = await chancery('backup', '--out', join(dir, 'post.chb'));
			assert.match(b.stdout, /audit records \(root [0-9a-f]{64}\)/);
			stop = true;
			await load;
			assert.deepEqual(errors, []);

			const c = await chancery('restore', '--check', '--in', join(dir, 'post.chb'));
			assert.match(c.stdout, /^verified: /);
		} finally {
			stop = true;
			rmSync(dir, { recursive: true, force: true });
		}

		const after = await chancery('key', 'list');
		const old = after.stdout.split('\n').find((l) => l.startsWith(oldId));
		assert.match(old, / 0 values$/, after.stdout);
		await assert.rejects(chancery('key', 'retire', after.stdout.slice(0, 8)),
			/current key/);
		await chancery('key', 'retire', oldId);

		const r = await get(rso, `/api/v1/people/${p.id}`);
		assert.equal(r.status, 200);
		assert.equal(r.json.email, 'vault.test@example.org');
		assert.match(r.json.phone, /^\+254 20 555 \d{4}$/);
	});
});
