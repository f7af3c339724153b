// pages/account.js — "Your sessions & security": the signed-in user's own
// sessions (where from, since when, last seen; end any but this one from
// here, this one with Sign out) and their second factor.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, PageTitle } from '../ui.js';
import { Enrol } from './second-factor.js';

const when = (t) => (t ? new Date(t).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '');

export function AccountPage() {
	const [sessions, setSessions] = useState(null);
	const [totp, setTotp] = useState(null);
	const [enrolling, setEnrolling] = useState(false);
	const [error, setError] = useState('');

	const load = () => {
		api.sessions().then((r) => setSessions(r.items), (e) => setError(e.message));
		api.totpStatus().then(setTotp, (e) => setError(e.message));
	};
	useEffect(load, []);

	const end = async (id) => {
		try {
			await api.endSession(id);
			load();
		} catch (e) {
			setError(e.message);
		}
	};

	return html`<section class="page">
		<${PageTitle}>Your sessions & security<//>
		${error ? html`<p class="alert alert-error" role="alert">${error}</p>` : ''}
		<h2>Second factor</h2>
		${totp === null ? html`<p class="muted">Loading…</p>`
			: totp.enrolled ? html`<p id="totp-state">An authenticator app is set up.
				${totp.recovery_codes_left} recovery codes left.</p>`
			: enrolling ? html`<div class="card enrol-card"><${Enrol} onDone=${() => { setEnrolling(false); load(); }} /></div>`
			: html`<p id="totp-state">${totp.required
				? 'Your role needs a second factor.'
				: 'No second factor is set up. It is optional here, and strongly advised.'}</p>
				<button type="button" class="btn btn-primary" onClick=${() => setEnrolling(true)}>Set up an authenticator app</button>`}
		<h2>Sessions</h2>
		${sessions === null ? html`<p class="muted">Loading…</p>` : html`<table class="table sessions">
			<thead><tr><th>Signed in</th><th>Last seen</th><th>From</th><th></th></tr></thead>
			<tbody>
				${sessions.map((s) => html`<tr key=${s.id} class=${s.current ? 'current' : undefined}>
					<td>${when(s.created_at)}</td>
					<td>${when(s.last_seen_at)}</td>
					<td>${s.source || ''}</td>
					<td>${s.current ? html`<span class="badge">This session</span>`
						: html`<button type="button" class="btn btn-small" onClick=${() => end(s.id)}
							aria-label=${`End the session from ${s.source || 'unknown'} signed in ${when(s.created_at)}`}>End</button>`}</td>
				</tr>`)}
			</tbody>
		</table>`}
	</section>`;
}
