// pages/audit.js — the audit log (security officer, HQ, administrator): the
// latest signed checkpoint, the records page by page, and "Verify", which
// recomputes every leaf and the tree root in this browser and checks one
// record's inclusion proof and, given the post's key, the signature
// (audit-verify.js). Every read here is itself recorded by the server.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtTime, loadPosts, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';
import { ed25519Available, fromB64, toB64, verifyInclusion, verifyLog, verifyNoteSignature } from '../audit-verify.js';

const PAGE = 50;
const num = (n) => Number(n).toLocaleString('en-GB');

export function AuditPage() {
	const [cp, setCp] = useState(null);
	const [cpError, setCpError] = useState(null);
	useEffect(() => {
		api.auditCheckpoint().then(setCp, setCpError);
	}, []);

	return html`<section class="page">
		<${PageTitle} sub="Every change and every read of a sensitive record, in a tamper-evident log.">Audit log<//>
		<${ErrorBox} error=${cpError} />
		${cp ? html`<${Checkpoint} cp=${cp} /><${Verify} cp=${cp} /><${Records} cp=${cp} />`
			: cpError ? '' : html`<${Loading} what="Loading the latest checkpoint" />`}
	</section>`;
}

function Checkpoint({ cp }) {
	return html`<div class="panel audit-panel">
		<div class="panel-head"><h2>Latest signed checkpoint</h2></div>
		<dl class="details">
			<div><dt>Records covered</dt><dd id="cp-size">${num(cp.size)}</dd></div>
			<div><dt>Root hash</dt><dd><code class="hash">${cp.root_hash}</code></dd></div>
			<div><dt>Signed</dt><dd>${fmtTime(cp.created_at)}</dd></div>
			<div><dt>Log</dt><dd><code>${cp.origin}</code></dd></div>
		</dl>
		<details>
			<summary>The signed note</summary>
			<pre class="note-text">${cp.note}</pre>
		</details>
	</div>`;
}

function Verify({ cp }) {
	const [key, setKey] = useState('');
	const [seq, setSeq] = useState(String(cp.size));
	const [state, setState] = useState({ running: false, progress: 0, lines: [], ok: null });
	const [edOk, setEdOk] = useState(null);
	useEffect(() => {
		ed25519Available().then(setEdOk);
	}, []);

	const run = async (e) => {
		e.preventDefault();
		const lines = [];
		const say = (ok, text) => lines.push({ ok, text });
		let ok = true;
		setState({ running: true, progress: 0, lines: [], ok: null });
		try {
			const res = await verifyLog(cp, (from, limit) => api.auditRecords(from, limit),
				(n) => setState((s) => ({ ...s, progress: n })));
			if (!res.ok) {
				ok = false;
				say(false, res.message);
			} else {
				say(true, `Verified ${num(res.checked)} records against checkpoint ${num(cp.size)}: every leaf recomputes from its record and the tree root matches the checkpoint’s.${
					res.redacted ? ` ${num(res.redacted)} records of other posts were checked by their leaf hash only.` : ''}`);
				// One record's inclusion proof, as the server serves it.
				const n = Number(seq);
				if (Number.isInteger(n) && n >= 1 && n <= cp.size) {
					const p = await api.auditInclusion(n - 1, cp.size);
					const good = p.root_hash === cp.root_hash &&
						(await verifyInclusion(n - 1, cp.size, res.leaves[n - 1], p.proof.map(fromB64), fromB64(cp.root_hash)));
					if (!good) ok = false;
					say(good, good
						? `Record ${num(n)}: its inclusion proof (${p.proof.length} hashes) leads to the checkpoint’s root.`
						: `Record ${num(n)}: the server’s inclusion proof does not lead to the checkpoint’s root (${toB64(res.root).slice(0, 12)}…).`);
				} else {
					say(false, `There is no record ${seq} in checkpoint ${num(cp.size)}; no inclusion proof was checked.`);
					ok = false;
				}
			}
			if (key.trim()) {
				try {
					await verifyNoteSignature(cp.note, key);
					say(true, 'The checkpoint’s Ed25519 signature verifies with the key you gave.');
				} catch (err) {
					say(err.unsupported ? null : false, err.message);
					if (!err.unsupported) ok = false;
				}
			} else {
				say(null, 'The signature was not checked: paste the post’s verifier key (audit.pub) to check it.');
			}
		} catch (err) {
			ok = false;
			say(false, `The check could not finish: ${err.message}`);
		}
		setState({ running: false, progress: 0, lines, ok });
	};

	return html`<div class="panel audit-panel">
		<div class="panel-head"><h2>Verify</h2></div>
		<p class="muted">Your browser fetches records 1 to ${num(cp.size)}, recomputes each leaf hash and the
			RFC 9162 tree root, and compares it with the checkpoint; then it checks one record’s inclusion proof.</p>
		<form class="verify-form" onSubmit=${run}>
			<div class="field">
				<label for="verify-seq">Record to prove</label>
				<input id="verify-seq" type="number" min="1" max=${cp.size} value=${seq}
					onInput=${(e) => setSeq(e.currentTarget.value)} />
			</div>
			<div class="field field-grow">
				<label for="verify-key">Verifier key (audit.pub), optional</label>
				<input id="verify-key" value=${key} spellcheck="false" autocomplete="off"
					placeholder="name+1a2b3c4d+AbC…" onInput=${(e) => setKey(e.currentTarget.value)} />
				<p class="hint">${edOk === false
					? 'This browser has no WebCrypto Ed25519: the signature cannot be checked here; use `chancery audit verify`.'
					: 'Take it from a copy kept away from this server, not from the server itself.'}</p>
			</div>
			<button class="btn btn-primary" type="submit" disabled=${state.running}>
				${state.running ? `Checking… ${num(state.progress)} / ${num(cp.size)}` : 'Verify'}
			</button>
		</form>
		${state.lines.length ? html`<div id="verify-result" class=${`alert ${state.ok ? 'alert-info verify-ok' : 'alert-error'}`} role="status">
			<p class="verify-head">${state.ok ? '✓ The log verifies.' : '✗ The log does not verify.'}</p>
			<ul class="verify-lines">
				${state.lines.map((l) => html`<li class=${l.ok === true ? 'ok' : l.ok === false ? 'bad' : 'skip'}>
					<span aria-hidden="true">${l.ok === true ? '✓' : l.ok === false ? '✗' : '–'}</span> ${l.text}
				</li>`)}
			</ul>
		</div>` : ''}
	</div>`;
}

function Records({ cp }) {
	const [from, setFrom] = useState(Math.max(1, cp.size - PAGE + 1));
	const [page, setPage] = useState({ items: null, next: null, error: null });
	const posts = useLoad(loadPosts).value || [];
	const postName = (id) => (posts.find((p) => String(p.id) === String(id)) || {}).name || '';

	useEffect(() => {
		const ctl = new AbortController();
		setPage((p) => ({ ...p, error: null }));
		api.auditRecords(from, PAGE, ctl.signal).then(
			(r) => setPage({ items: r.items || [], next: r.next_from, error: null }),
			(err) => err.name !== 'AbortError' && setPage({ items: [], next: null, error: err }),
		);
		return () => ctl.abort();
	}, [from]);

	return html`<div class="audit-records">
		<div class="panel-head records-head">
			<h2>Records</h2>
			<div class="pager">
				<button type="button" class="btn btn-small" disabled=${from <= 1} onClick=${() => setFrom(Math.max(1, from - PAGE))}>Older</button>
				<button type="button" class="btn btn-small" disabled=${!page.next} onClick=${() => setFrom(page.next)}>Newer</button>
			</div>
		</div>
		<${ErrorBox} error=${page.error} />
		${page.items === null ? html`<${Loading} what="Loading records" />` : page.items.length === 0 ? html`<p class="muted">No records from ${from}.</p>` : html`
		<p class="result-count">Records ${num(page.items[0].seq)}–${num(page.items[page.items.length - 1].seq)}${
			page.items[page.items.length - 1].seq > cp.size ? '; those after the checkpoint are not signed yet' : ''}.</p>
		<table class="list-table audit-table">
			<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Post</th></tr></thead>
			<tbody>
				${page.items.map((r) => html`<tr key=${r.seq}>
					<td class="cell-name">${r.seq}</td>
					${r.redacted ? html`<td colspan="5" class="muted">Another post’s record (leaf hash only)</td>` : html`
					<td data-label="Time">${fmtTime(r.time)}</td>
					<td data-label="Actor">${r.actor || ''}</td>
					<td data-label="Action"><code>${r.action || ''}</code></td>
					<td data-label="Object" class="cell-object">${r.object_type || ''}${r.object_id ? html` <span class="cell-sub">${r.object_id}</span>` : ''}</td>
					<td data-label="Post">${postName(r.post_id) || (r.post_id ? r.post_id : '—')}</td>`}
				</tr>`)}
			</tbody>
		</table>`}
	</div>`;
}
