// reauth.js — the "confirm it is you" dialog. Sensitive routes (creating
// users, changing access, making device tokens) answer 401 reauth-required
// unless the password (and code) was checked in the last 5 minutes; api.js
// then calls the handler registered here, which opens this dialog, sends
// POST /auth/reauth and resolves, so the request is sent again. Cancel
// rejects with an error that says nothing changed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setReauthHandler } from './api.js';
import { html } from './ui.js';

export function ReauthDialog({ needsCode }) {
	const [pending, setPending] = useState(null); // { resolve, reject } while open
	const [password, setPassword] = useState('');
	const [code, setCode] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const dialog = useRef(null);
	const field = useRef(null);

	useEffect(() => {
		setReauthHandler(() => new Promise((resolve, reject) => setPending({ resolve, reject })));
		return () => setReauthHandler(null);
	}, []);

	useEffect(() => {
		const d = dialog.current;
		if (!d) return;
		if (pending && !d.open) {
			d.showModal();
			if (field.current) field.current.focus();
		} else if (!pending && d.open) {
			d.close();
		}
	}, [pending]);

	const finish = (ok) => {
		const p = pending;
		setPending(null);
		setPassword('');
		setCode('');
		setError('');
		setBusy(false);
		if (!p) return;
		if (ok) p.resolve();
		else p.reject(Object.assign(new Error('Cancelled: nothing was changed.'), { problem: {}, status: 0 }));
	};

	const submit = async (e) => {
		e.preventDefault();
		if (busy) return;
		setBusy(true);
		setError('');
		try {
			await api.reauth(password, needsCode ? code.trim() : undefined);
			finish(true);
		} catch (err) {
			setError(err.problem && err.problem.detail ? err.problem.detail : err.message);
			setPassword('');
			setBusy(false);
			if (field.current) field.current.focus();
		}
	};

	return html`<dialog ref=${dialog} class="reauth" aria-labelledby="reauth-title"
		onCancel=${(e) => { e.preventDefault(); finish(false); }}>
		<form onSubmit=${submit}>
			<h2 id="reauth-title">Confirm it is you</h2>
			<p class="muted">This change needs your password${needsCode ? ' and a code from your app' : ''} again.</p>
			<div class="field">
				<label for="reauth-password">Your password</label>
				<input id="reauth-password" ref=${field} type="password" autocomplete="current-password" value=${password}
					onInput=${(e) => setPassword(e.currentTarget.value)} />
			</div>
			${needsCode ? html`<div class="field">
				<label for="reauth-code">Code</label>
				<input id="reauth-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" value=${code}
					onInput=${(e) => setCode(e.currentTarget.value)} />
			</div>` : ''}
			${error ? html`<p class="alert alert-error" role="alert">${error}</p>` : ''}
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy || !password}>${busy ? 'Checking…' : 'Confirm'}</button>
				<button class="btn btn-ghost" type="button" onClick=${() => finish(false)}>Cancel</button>
			</div>
		</form>
	</dialog>`;
}
