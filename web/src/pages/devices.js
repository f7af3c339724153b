// pages/devices.js — device tokens for gate readers, alarm panels and kiosks
// (administrators): the list with last use, a form that makes one and shows
// its token this once, and revocation after a confirmation.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtTime, loadPosts, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';

// What a token may read besides the device routes (the API's list).
const PERMISSIONS = [
	['posts.read', 'Read the post (posts.read)'],
	['people.read', 'Read the people of the post (people.read)'],
];

export function DevicesPage({ user }) {
	const [list, setList] = useState({ items: null, error: null });
	const [made, setMade] = useState(null);
	const [creating, setCreating] = useState(false);
	const [confirming, setConfirming] = useState(null);
	const [error, setError] = useState(null);
	const [notice, setNotice] = useState('');
	const posts = useLoad(loadPosts).value || [];
	const postName = (id) => (posts.find((p) => String(p.id) === String(id)) || {}).name || id;

	const load = () => api.devices().then((r) => setList({ items: r.items || [], error: null }), (e) => setList({ items: [], error: e }));
	useEffect(() => {
		load();
	}, []);

	const revoke = async (d) => {
		setError(null);
		try {
			await api.revokeDevice(d.id);
			setConfirming(null);
			setNotice(`The token of “${d.name}” is revoked.`);
			load();
		} catch (err) {
			setError(err);
		}
	};

	return html`<section class="page">
		<div class="page-head-row">
			<${PageTitle} sub="Gate readers, alarm panels and kiosks sign in with a token bound to one post.">Device tokens<//>
			${!creating && !made ? html`<button type="button" class="btn btn-primary" onClick=${() => { setCreating(true); setNotice(''); }}>New device token</button>` : ''}
		</div>
		${notice ? html`<p class="alert alert-info" role="status">${notice}</p>` : ''}
		${made ? html`<${TokenOnce} device=${made} onClose=${() => setMade(null)} />` : ''}
		${creating ? html`<${DeviceForm} posts=${posts} defaultPost=${user.post_id}
			onCancel=${() => setCreating(false)}
			onMade=${(d) => { setCreating(false); setMade(d); load(); }} />` : ''}
		<${ErrorBox} error=${list.error || error} />
		${list.items === null ? html`<${Loading} what="Loading device tokens" />` : list.items.length === 0 ? html`<div class="panel empty"><p>No device tokens yet.</p></div>` : html`
		<table class="list-table devices-table">
			<thead><tr><th scope="col">Device</th><th scope="col">Post</th><th scope="col">May read</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
			<tbody>
				${list.items.map((d) => html`<tr key=${d.id} data-device=${d.name}>
					<td class="cell-name">${d.name}<span class="cell-sub">made ${fmtTime(d.created_at)}${d.created_by ? ` by ${d.created_by}` : ''}</span></td>
					<td data-label="Post">${postName(d.post_id)}</td>
					<td data-label="May read">${(d.permissions || []).filter((p) => p !== 'device').join(', ') || 'device routes only'}</td>
					<td data-label="Last used">${d.last_used_at ? `${fmtTime(d.last_used_at)}${d.last_used_from ? ` from ${d.last_used_from}` : ''}` : 'never'}</td>
					<td data-label="State">${d.revoked_at ? html`<span class="badge badge-muted">Revoked ${fmtTime(d.revoked_at)}</span>` : html`<span class="badge badge-ok">Active</span>`}</td>
					<td class="cell-actions">${d.revoked_at ? '' : confirming === d.id ? html`<span class="confirm" role="group" aria-label=${`Revoke ${d.name}?`}>
						<span>Revoke now? The device stops working at once.</span>
						<button type="button" class="btn btn-small btn-danger" onClick=${() => revoke(d)}>Yes, revoke</button>
						<button type="button" class="btn btn-small btn-ghost" onClick=${() => setConfirming(null)}>Keep</button>
					</span>` : html`<button type="button" class="btn btn-small" aria-label=${`Revoke ${d.name}`} onClick=${() => setConfirming(d.id)}>Revoke</button>`}</td>
				</tr>`)}
			</tbody>
		</table>`}
	</section>`;
}

function DeviceForm({ posts, defaultPost, onMade, onCancel }) {
	const [name, setName] = useState('');
	const [postId, setPostId] = useState(defaultPost ? String(defaultPost) : '');
	const [perms, setPerms] = useState(['posts.read']);
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	useEffect(() => {
		if (!postId && posts.length) setPostId(String(posts[0].id));
	}, [posts.length]);

	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			onMade(await api.createDevice({ name: name.trim(), post_id: postId, permissions: perms }));
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};
	const toggle = (p) => setPerms(perms.includes(p) ? perms.filter((x) => x !== p) : perms.concat(p));

	return html`<form class="panel user-form" onSubmit=${submit} aria-labelledby="new-device-title">
		<h2 id="new-device-title">New device token</h2>
		<div class="form-grid">
			<div class="field"><label for="nd-name">Name</label>
				<input id="nd-name" value=${name} required maxlength="100" autocomplete="off" placeholder="Main gate reader"
					onInput=${(e) => setName(e.currentTarget.value)} />
				<p class="hint">What and where.</p></div>
			<div class="field"><label for="nd-post">Post</label>
				<select id="nd-post" value=${postId} onChange=${(e) => setPostId(e.currentTarget.value)}>
					${posts.map((p) => html`<option key=${p.id} value=${String(p.id)}>${p.name}</option>`)}
				</select></div>
		</div>
		<fieldset class="roles"><legend>May also read</legend>
			${PERMISSIONS.map(([p, label]) => html`<div class="field-check" key=${p}>
				<input type="checkbox" id=${`nd-perm-${p}`} checked=${perms.includes(p)} onChange=${() => toggle(p)} />
				<label for=${`nd-perm-${p}`}>${label}</label>
			</div>`)}
		</fieldset>
		<${ErrorBox} error=${error} />
		<div class="form-actions">
			<button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Making…' : 'Make token'}</button>
			<button class="btn btn-ghost" type="button" onClick=${onCancel}>Cancel</button>
		</div>
	</form>`;
}

function TokenOnce({ device, onClose }) {
	const [copied, setCopied] = useState('');
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(device.token);
			setCopied('Copied.');
		} catch {
			setCopied('The browser would not copy: select the token and copy it by hand.');
		}
	};
	return html`<div class="panel token-once" role="region" aria-labelledby="token-title">
		<h2 id="token-title">Token for “${device.name}”</h2>
		<p class="alert alert-warn"><strong>Copy it now: it is shown this once.</strong> Chancery keeps only its hash.
			Anyone holding it can act as this device; put it only into the device.</p>
		<div class="token-row">
			<code id="device-token" class="token">${device.token}</code>
			<button type="button" class="btn" onClick=${copy}>Copy</button>
		</div>
		<p class="hint" role="status">${copied}</p>
		<button type="button" class="btn btn-primary" onClick=${onClose}>I have copied it</button>
	</div>`;
}
