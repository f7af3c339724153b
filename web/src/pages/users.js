// pages/users.js — user accounts. Administrators create users and change
// their roles, clearance, post and state, and reset passwords; security
// officers see the list only. Every change needs a recent
// re-authentication: api.js asks for the password (main.js's dialog) and
// sends the request again.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, CLEARANCES, ROLE_LABELS, roleLabel, loadPosts, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';

const ROLES = Object.keys(ROLE_LABELS);
export const canManageUsers = (user) => (user.roles || []).includes('administrator');

export function UsersPage({ user }) {
	const admin = canManageUsers(user);
	const [list, setList] = useState({ items: null, error: null });
	const [creating, setCreating] = useState(false);
	const [editing, setEditing] = useState(null);
	const [notice, setNotice] = useState('');
	const posts = useLoad(loadPosts).value || [];
	const postName = (id) => (posts.find((p) => String(p.id) === String(id)) || {}).name || '';

	const load = () => api.users().then((r) => setList({ items: r.items || [], error: null }), (error) => setList({ items: [], error }));
	useEffect(() => {
		load();
	}, []);
	const done = (message) => {
		setCreating(false);
		setEditing(null);
		setNotice(message);
		load();
	};

	return html`<section class="page">
		<div class="page-head-row">
			<${PageTitle} sub=${admin ? '' : 'You can see the accounts; an administrator changes them.'}>Users<//>
			${admin && !creating ? html`<button type="button" class="btn btn-primary" onClick=${() => { setCreating(true); setNotice(''); }}>New user</button>` : ''}
		</div>
		${notice ? html`<p class="alert alert-info" role="status" id="users-notice">${notice}</p>` : ''}
		${creating ? html`<${UserForm} posts=${posts} defaultPost=${user.post_id} onDone=${done} onCancel=${() => setCreating(false)} />` : ''}
		<${ErrorBox} error=${list.error} />
		${list.items === null ? html`<${Loading} what="Loading users" />` : html`<table class="list-table users-table">
			<thead><tr><th scope="col">User</th><th scope="col">Roles</th><th scope="col">Clearance</th><th scope="col">Post</th><th scope="col">Second factor</th><th scope="col">State</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
			<tbody>
				${list.items.map((u) => html`<tr key=${u.id} data-username=${u.username} class=${u.disabled ? 'row-disabled' : undefined}>
					<td class="cell-name">${u.display_name || u.username}<span class="cell-sub">${u.username}</span></td>
					<td data-label="Roles">${(u.roles || []).map(roleLabel).join(', ') || '—'}</td>
					<td data-label="Clearance">${u.clearance}</td>
					<td data-label="Post">${u.post_id ? postName(u.post_id) || u.post_id : 'None (all posts for HQ)'}</td>
					<td data-label="Second factor">${u.second_factor ? html`<span class="badge badge-ok">Set up</span>` : html`<span class="badge badge-muted">None</span>`}</td>
					<td data-label="State">${u.disabled ? html`<span class="badge badge-muted">Disabled</span>` : html`<span class="badge badge-ok">Active</span>`}</td>
					${admin ? html`<td class="cell-actions"><button type="button" class="btn btn-small"
						aria-label=${`Change ${u.username}`} onClick=${() => { setEditing(editing === u.id ? null : u.id); setNotice(''); }}>
						${editing === u.id ? 'Close' : 'Change'}</button></td>` : ''}
				</tr>${editing === u.id ? html`<tr class="edit-row" key=${`${u.id}-edit`}><td colspan="7">
					<${UserEdit} u=${u} posts=${posts} onDone=${done} self=${u.id === user.id} />
				</td></tr>` : ''}`)}
			</tbody>
		</table>`}
		<p class="hint">A lost phone is reset with <code>chancery user totp-reset USERNAME</code> on the server.</p>
	</section>`;
}

function RoleBoxes({ prefix, roles, setRoles }) {
	const toggle = (r) => setRoles(roles.includes(r) ? roles.filter((x) => x !== r) : roles.concat(r));
	return html`<fieldset class="roles">
		<legend>Roles</legend>
		${ROLES.map((r) => html`<div class="field-check" key=${r}>
			<input type="checkbox" id=${`${prefix}-role-${r}`} checked=${roles.includes(r)} onChange=${() => toggle(r)} />
			<label for=${`${prefix}-role-${r}`}>${roleLabel(r)}</label>
		</div>`)}
	</fieldset>`;
}

function Select({ id, label, value, onChange, options }) {
	return html`<div class="field">
		<label for=${id}>${label}</label>
		<select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
			${options.map(([v, text]) => html`<option key=${v} value=${v}>${text}</option>`)}
		</select>
	</div>`;
}

const postOptions = (posts) => [['', 'No post (HQ)'], ...posts.map((p) => [String(p.id), p.name])];

function FieldErrors({ error }) {
	if (!error) return '';
	const fields = error.fieldErrors || {};
	return html`<div class="alert alert-error" role="alert">
		${error.message}
		${Object.keys(fields).length > 1 || (Object.keys(fields)[0] && fields[Object.keys(fields)[0]] !== error.message)
			? html`<ul>${Object.entries(fields).map(([k, v]) => html`<li key=${k}><strong>${k}</strong>: ${v}</li>`)}</ul>` : ''}
	</div>`;
}

function UserForm({ posts, defaultPost, onDone, onCancel }) {
	const [v, setV] = useState({ username: '', display_name: '', password: '', clearance: 'UNCLASSIFIED', post_id: defaultPost ? String(defaultPost) : '' });
	const [roles, setRoles] = useState(['staff']);
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });

	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			const u = await api.createUser({
				username: v.username.trim(), display_name: v.display_name.trim() || null, password: v.password,
				roles, clearance: v.clearance, post_id: v.post_id || null,
			});
			onDone(`User ${u.username} created.`);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};

	return html`<form class="panel user-form" onSubmit=${submit} aria-labelledby="new-user-title">
		<h2 id="new-user-title">New user</h2>
		<div class="form-grid">
			<div class="field"><label for="nu-username">Username</label>
				<input id="nu-username" value=${v.username} onInput=${set('username')} required autocomplete="off" autocapitalize="none" spellcheck="false" />
				<p class="hint">a–z, 0–9, dot, dash, underscore.</p></div>
			<div class="field"><label for="nu-name">Display name</label>
				<input id="nu-name" value=${v.display_name} onInput=${set('display_name')} autocomplete="off" /></div>
			<div class="field"><label for="nu-password">Password</label>
				<input id="nu-password" type="password" value=${v.password} onInput=${set('password')} required autocomplete="new-password" />
				<p class="hint">At least 12 characters; a passphrase is best.</p></div>
			<${Select} id="nu-clearance" label="Clearance" value=${v.clearance} onChange=${(x) => setV({ ...v, clearance: x })}
				options=${CLEARANCES.map((c) => [c, c])} />
			<${Select} id="nu-post" label="Post" value=${v.post_id} onChange=${(x) => setV({ ...v, post_id: x })} options=${postOptions(posts)} />
		</div>
		<${RoleBoxes} prefix="nu" roles=${roles} setRoles=${setRoles} />
		<${FieldErrors} error=${error} />
		<div class="form-actions">
			<button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create user'}</button>
			<button class="btn btn-ghost" type="button" onClick=${onCancel}>Cancel</button>
		</div>
	</form>`;
}

function UserEdit({ u, posts, onDone, self }) {
	const [roles, setRoles] = useState(u.roles || []);
	const [clearance, setClearance] = useState(u.clearance);
	const [postId, setPostId] = useState(u.post_id ? String(u.post_id) : '');
	const [password, setPassword] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);

	const send = async (body, message) => {
		setBusy(true);
		setError(null);
		try {
			await api.updateUser(u.id, body);
			onDone(message);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};
	const saveAccess = (e) => {
		e.preventDefault();
		send({ roles, clearance, post_id: postId || null }, `Access of ${u.username} changed.`);
	};
	const resetPassword = (e) => {
		e.preventDefault();
		send({ password }, `Password of ${u.username} reset; their sessions have ended.`);
	};
	const p = `ue-${u.id}`;

	return html`<div class="user-edit">
		<form onSubmit=${saveAccess} aria-label=${`Access of ${u.username}`}>
			<${RoleBoxes} prefix=${p} roles=${roles} setRoles=${setRoles} />
			<div class="form-grid">
				<${Select} id=${`${p}-clearance`} label="Clearance" value=${clearance} onChange=${setClearance} options=${CLEARANCES.map((c) => [c, c])} />
				<${Select} id=${`${p}-post`} label="Post" value=${postId} onChange=${setPostId} options=${postOptions(posts)} />
			</div>
			<div class="form-actions"><button class="btn btn-primary" type="submit" disabled=${busy}>Save access</button></div>
		</form>
		<form class="reset-form" onSubmit=${resetPassword} aria-label=${`Reset the password of ${u.username}`}>
			<div class="field field-grow"><label for=${`${p}-password`}>New password</label>
				<input id=${`${p}-password`} type="password" value=${password} autocomplete="new-password"
					onInput=${(e) => setPassword(e.currentTarget.value)} /></div>
			<button class="btn" type="submit" disabled=${busy || !password}>Reset password</button>
		</form>
		<div class="form-actions">
			${u.disabled
				? html`<button type="button" class="btn" disabled=${busy} onClick=${() => send({ disabled: false }, `${u.username} enabled.`)}>Enable ${u.username}</button>`
				: html`<button type="button" class="btn btn-danger" disabled=${busy || self}
					onClick=${() => send({ disabled: true }, `${u.username} disabled; their sessions have ended.`)}>Disable ${u.username}</button>
					${self ? html`<span class="hint">You cannot disable yourself here.</span>` : ''}`}
		</div>
		<${FieldErrors} error=${error} />
	</div>`;
}
