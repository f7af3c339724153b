// evidence.test.mjs — evidence files of incidents: upload of each accepted
// type, refusal of a type that does not match its bytes, of bad names, of
// files too large (before the body is held) and of people who may not change
// the incident; listing with SHA-256; download byte for byte with
// Repr-Digest; the incident's detail and timeline; the read audit; and
// nothing of a file in the database in the clear.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { before, describe, test } from 'node:test';

import { api, assertProblem, demoPost, get, login, server, uniq, ENGINE } from './harness.mjs';

before(server);

const ago = (hours) => new Date(Date.now() - hours * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

async function incident(session, fields = {}) {
	const r = await api(session, 'POST', '/api/v1/incidents', {
		post_id: await demoPost(), type: 'surveillance_detected', category: 'human_intelligence',
		severity: 'Moderate', title: uniq('API test evidence'), occurred_at: ago(3),
		classification: 'UNCLASSIFIED', tlp: 'CLEAR', ...fields,
	});
	assert.equal(r.status, 201, r.text);
	return r.json;
}

function upload(session, id, bytes, type, name, extra = '') {
	const q = name === null ? '' : `?name=${encodeURIComponent(name)}${extra}`;
	return api(session, 'POST', `/api/v1/incidents/${id}/evidence${q}`, bytes, { 'Content-Type': type });
}

// A tiny but real file of each type: its magic bytes and some payload.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const samples = {
	'image/jpeg': Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(100, 1)]),
	'image/png': PNG,
	'image/webp': Buffer.concat([Buffer.from('RIFF'), Buffer.from([40, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(28, 2)]),
	'application/pdf': Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
	'video/mp4': Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(40, 3)]),
	'audio/mpeg': Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.alloc(60, 4)]),
	'text/plain': Buffer.from('Guard log 02:14 — white saloon KDA 123X parked opposite gate 2 for 40 min.\n'),
};

describe('evidence files', () => {
	test('each accepted type uploads, lists with its hash, and downloads byte for byte', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		for (const [type, bytes] of Object.entries(samples)) {
			const name = `sample ${type.replace('/', '-')}`;
			const r = await upload(rso, inc.id, bytes, type, name, '&description=From%20the%20gate%20camera');
			assert.equal(r.status, 201, r.text);
			assert.equal(r.json.media_type, type);
			assert.equal(r.json.size, bytes.length);
			assert.equal(r.json.sha256, sha256(bytes));
			assert.equal(r.json.description, 'From the gate camera');
			assert.equal(r.json.uploaded_by, 'rso');
			assert.equal(r.headers.get('location'), `/api/v1/incidents/${inc.id}/evidence/${r.json.id}`);
			const res = await fetch(`${(await server()).base}${r.headers.get('location')}`, { headers: { Cookie: rso.cookie } });
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), type);
			assert.match(res.headers.get('content-disposition'), /^attachment; filename="sample /);
			const got = Buffer.from(await res.arrayBuffer());
			assert.ok(got.equals(bytes), `${type} round trip`);
			assert.equal(res.headers.get('repr-digest'),
				`sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`);
		}
		const list = await get(rso, `/api/v1/incidents/${inc.id}/evidence`);
		assert.equal(list.status, 200);
		assert.equal(list.json.items.length, Object.keys(samples).length);
		const detail = await get(rso, `/api/v1/incidents/${inc.id}`);
		assert.deepEqual(detail.json.evidence.map((e) => e.sha256), list.json.items.map((e) => e.sha256));
		assert.equal(detail.json.timeline.filter((t) => t.action === 'incident.evidence.add').length,
			Object.keys(samples).length);
	});

	test('an alias type is stored under its canonical name', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		const r = await upload(rso, inc.id, samples['image/jpeg'], 'IMAGE/JPG; q=1', 'cam.jpg');
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.media_type, 'image/jpeg');
	});

	test('a file whose bytes are not its declared type is refused, saying why', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		let r = await upload(rso, inc.id, samples['application/pdf'], 'image/png', 'x.png');
		assertProblem(r, 422, 'validation', /not what its Content-Type image\/png says/, '/content');
		r = await upload(rso, inc.id, Buffer.from('MZ\x90\x00 an executable'), 'application/x-msdownload', 'x.exe');
		assertProblem(r, 422, 'validation', /one of image\/jpeg/, '/media_type');
		r = await upload(rso, inc.id, Buffer.from('a\x00b'), 'text/plain', 'nul.txt');
		assertProblem(r, 422, 'validation', undefined, '/content');
		r = await upload(rso, inc.id, Buffer.alloc(0), 'text/plain', 'empty.txt');
		assertProblem(r, 422, 'validation', /empty/, '/content');
		assert.equal((await get(rso, `/api/v1/incidents/${inc.id}/evidence`)).json.items.length, 0);
	});

	test('file names are plain names', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		for (const name of ['../../etc/passwd', 'a\\b.txt', '.hidden', '   ', 'x'.repeat(201), 'tab\there'])
			assertProblem(await upload(rso, inc.id, samples['text/plain'], 'text/plain', name), 422, 'validation', undefined, '/name');
		assertProblem(await upload(rso, inc.id, samples['text/plain'], 'text/plain', null), 422, 'validation', undefined, '/name');
		const r = await upload(rso, inc.id, samples['text/plain'], 'text/plain', 'Отчёт охраны «ворота 2».txt');
		assert.equal(r.status, 201, r.text);
		const res = await fetch(`${(await server()).base}/api/v1/incidents/${inc.id}/evidence/${r.json.id}`, { headers: { Cookie: rso.cookie } });
		assert.match(res.headers.get('content-disposition'), /filename\*=UTF-8''%D0%9E/);
		await res.arrayBuffer();
	});

	// The name is the uploader's, but the extension decides what opens the
	// saved file: a text file named statement.hta (or .html, .bat, .svg)
	// would run as a program or page on the investigator's machine.
	test('a download is named for its checked type, whatever the uploaded name says', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		const cases = [
			['text/plain', 'statement.hta', 'statement.hta.txt'],
			['text/plain', 'page.html', 'page.html.txt'],
			['text/plain', 'notes', 'notes.txt'],
			['text/plain', 'log.TXT', 'log.TXT'],
			['image/jpeg', 'gate.jpeg', 'gate.jpeg'],
			['image/jpeg', 'cam.JPG', 'cam.JPG'],
			['image/png', 'shot.png.bat', 'shot.png.bat.png'],
			['application/pdf', 'report.pdf', 'report.pdf'],
			['audio/mpeg', 'call.mp3', 'call.mp3'],
		];
		for (const [type, name, saved] of cases) {
			const r = await upload(rso, inc.id, samples[type], type, name);
			assert.equal(r.status, 201, r.text);
			assert.equal(r.json.name, name, 'the recorded name stays as uploaded');
			const res = await fetch(`${(await server()).base}/api/v1/incidents/${inc.id}/evidence/${r.json.id}`, { headers: { Cookie: rso.cookie } });
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-disposition'),
				`attachment; filename="${saved}"; filename*=UTF-8''${saved}`, `${type} ${name}`);
			await res.arrayBuffer();
		}
	});

	test('more than 10 MiB is refused from its Content-Length, before the body', async () => {
		const rso = await login('rso');
		const inc = await incident(rso);
		// Headers only: the answer comes without a byte of the body sent.
		const { base } = await server();
		const answer = await new Promise((resolve, reject) => {
			const req = httpsRequest(`${base}/api/v1/incidents/${inc.id}/evidence?name=big.txt`, {
				method: 'POST', rejectUnauthorized: false,
				headers: { Cookie: rso.cookie, 'X-CSRF-Token': rso.csrf, 'Content-Type': 'text/plain',
					'Content-Length': String(10 * 1024 * 1024 + 1) },
			}, (res) => {
				let text = '';
				res.on('data', (d) => { text += d; });
				res.on('end', () => { req.destroy(); resolve({ status: res.statusCode, json: JSON.parse(text) }); });
			});
			req.on('error', reject);
			req.flushHeaders();
		});
		assert.equal(answer.status, 413);
		assert.match(answer.json.type, /body-too-large$/);
		const ok = Buffer.alloc(10 * 1024 * 1024, 0x41);
		const r2 = await upload(rso, inc.id, ok, 'text/plain', 'ten-mib.txt');
		assert.equal(r2.status, 201, r2.text);
		assert.equal(r2.json.sha256, sha256(ok));
	});

	test('only those who may change the incident may add; only readers may list or download', async () => {
		const rso = await login('rso');
		const inc = await incident(rso, { tlp: 'AMBER' });
		const added = await upload(rso, inc.id, samples['text/plain'], 'text/plain', 'note.txt');
		assert.equal(added.status, 201);
		const staff = await login('staff');
		assertProblem(await upload(staff, inc.id, samples['text/plain'], 'text/plain', 'n.txt'), 403, 'forbidden');
		const guard = await login('guard');
		const g = await upload(guard, inc.id, samples['text/plain'], 'text/plain', 'n.txt');
		assert.ok([403, 404].includes(g.status), g.text);
		// Without a session the upload is refused before the body is read.
		const anon = await api(null, 'POST', `/api/v1/incidents/${inc.id}/evidence?name=a.txt`, samples['text/plain'], { 'Content-Type': 'text/plain' });
		assertProblem(anon, 401, 'unauthenticated');
		// Without the CSRF token too.
		const nocsrf = await api(rso, 'POST', `/api/v1/incidents/${inc.id}/evidence?name=a.txt`, samples['text/plain'], { 'Content-Type': 'text/plain', 'X-CSRF-Token': null });
		assertProblem(nocsrf, 403, 'csrf');
		// A reader who may not see the incident gets 404 for its files.
		const detail = await get(staff, `/api/v1/incidents/${inc.id}`);
		const files = await get(staff, `/api/v1/incidents/${inc.id}/evidence`);
		assert.equal(files.status, detail.status === 200 ? 200 : 404);
		const dl = await get(staff, `/api/v1/incidents/${inc.id}/evidence/${added.json.id}`);
		assert.equal(dl.status, detail.status === 200 ? 200 : 404);
		// A file id of another incident is not found under this one.
		const other = await incident(rso);
		assertProblem(await get(rso, `/api/v1/incidents/${other.id}/evidence/${added.json.id}`), 404, 'not-found');
	});

	test('the content is stored encrypted and each download is audited', async (t) => {
		if (ENGINE !== 'sqlite') return t.skip('reads the SQLite file');
		const rso = await login('rso');
		const inc = await incident(rso);
		const marker = `CLEARTEXT-MARKER-${Date.now()}`;
		const r = await upload(rso, inc.id, Buffer.from(`${marker}\n`.repeat(50)), 'text/plain', 'marker.txt');
		assert.equal(r.status, 201);
		const { dir } = await server();
		let read = 0;
		for (const f of ['chancery.db', 'chancery.db-wal']) {
			let bytes;
			try { bytes = readFileSync(`${dir}/${f}`); } catch { continue; }
			read++;
			assert.ok(!bytes.includes(marker), `${f} holds the file in the clear`);
		}
		assert.ok(read > 0, `no database file in ${dir}`);
		const before = await get(rso, `/api/v1/incidents/${inc.id}`);
		await get(rso, `/api/v1/incidents/${inc.id}/evidence/${r.json.id}`);
		const after = await get(rso, `/api/v1/incidents/${inc.id}`);
		assert.equal(after.json.timeline.filter((x) => x.action === 'incident.evidence.read').length,
			before.json.timeline.filter((x) => x.action === 'incident.evidence.read').length + 1);
	});
});
