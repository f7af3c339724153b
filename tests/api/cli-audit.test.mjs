// cli-audit.test.mjs — the CLI's writes are covered by a signed checkpoint
// when the command ends (not only at the server's next one), and a restore
// of an older backup sets the key's kept checkpoint aside so that signing
// goes on from the restored history.  A post of its own, on SQLite: the
// signing is the same on both engines (test_audit_log runs on both).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { CH_BIN, DSN } from './harness.mjs';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'chancery-cli-audit-'));
const post = join(dir, 'post');
const chancery = (...args) => run(CH_BIN, [...args, '--dir', post], { timeout: 60000 });
// A checkpoint note's second line is the tree size it covers.
const keptSize = (file) => Number(readFileSync(file, 'utf8').split('\n')[1]);
const last = join(post, 'keys', 'audit.last');

after(() => rmSync(dir, { recursive: true, force: true }));

describe('audit checkpoints from the CLI', { skip: DSN ? 'SQLite only' : false }, () => {
	test('each write is signed when the command ends', async () => {
		await chancery('init');
		assert.equal(existsSync(last), false, 'nothing signed before any record');
		await chancery('post', 'add', '--name', 'Nairobi', '--kind', 'embassy',
			'--country', 'KE', '--city', 'Nairobi', '--timezone', 'Africa/Nairobi');
		assert.equal(keptSize(last), 1);
		const cp = await chancery('audit', 'checkpoint');
		assert.equal(cp.stdout.split('\n')[1], '1', cp.stdout);
		const v = await chancery('audit', 'verify');
		assert.match(v.stdout, /and it holds the history of the checkpoint kept in .*audit\.last \(size 1\)/);
	});

	test('a restore of an older backup keeps the replaced checkpoint and signs on', async () => {
		const backup = join(dir, 'post.chb');
		const b = await chancery('backup', '--out', backup);
		assert.match(b.stdout, /1 audit records/);
		const child = execFile(CH_BIN, ['user', 'add', 'alice', '--role', 'analyst',
			'--post', 'Nairobi', '--password-stdin', '--dir', post]);
		child.stdin.end('a long enough passphrase for alice 7391\n');
		await new Promise((resolve, reject) => child.on('exit', (code) =>
			(code === 0 ? resolve() : reject(new Error(`user add: ${code}`)))));
		assert.equal(keptSize(last), 3, 'post, backup, user');

		const r = await chancery('restore', '--in', backup, '--force');
		const kept = readdirSync(join(post, 'keys')).filter((f) => f.startsWith('audit.last.before-restore-'));
		assert.equal(kept.length, 1, r.stdout);
		assert.match(r.stdout, new RegExp(`kept in .*${kept[0]}`));
		assert.equal(keptSize(join(post, 'keys', kept[0])), 3, 'the replaced history\'s checkpoint');
		assert.equal(keptSize(last), 2, 'the backup\'s record and the restore\'s, signed');
		const v = await chancery('audit', 'verify');
		assert.match(v.stdout, /the audit log verifies: 2 records/);
		assert.match(v.stdout, /holds the history of the checkpoint kept in .*audit\.last \(size 2\)/);
		// The replaced history is not this database's: checked against it,
		// verify says so.
		await assert.rejects(chancery('audit', 'verify', '--checkpoint', join(post, 'keys', kept[0])),
			/checkpoint|records/);
	});
});
