// pages/second-factor.js — the second step of signing in (a code from the
// authenticator app, or a recovery code) and the TOTP enrolment: the QR
// code (an SVG the server draws, shown as a data: image, which the CSP
// allows), the secret to type by hand, a first code to confirm, and the
// recovery codes, shown this once.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api.js';
import { html } from '../ui.js';

// Base64 of a UTF-8 string, for the data: URL.
const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

export function CodeStep({ onDone, onCancel }) {
	const [code, setCode] = useState('');
	const [recovery, setRecovery] = useState(false);
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const field = useRef(null);

	useEffect(() => field.current && field.current.focus(), [recovery]);

	const submit = async (e) => {
		e.preventDefault();
		if (busy) return;
		const value = code.trim();
		if (!value) {
			setError(recovery ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code from your app.');
			return;
		}
		setBusy(true);
		setError('');
		try {
			const s = await api.secondFactor(recovery ? { recovery_code: value } : { code: value });
			setCsrfToken(s.csrf_token);
			onDone(s);
		} catch (err) {
			setError(err.problem.detail || err.message);
			setCode('');
			setBusy(false);
			if (field.current) field.current.focus();
		}
	};

	return html`<form onSubmit=${submit} noValidate>
		<h2 class="login-step">Second factor</h2>
		<p class="muted">${recovery
			? 'Type one of the recovery codes you kept when you set up the app. Each works once.'
			: 'Open your authenticator app and type the code it shows for Chancery.'}</p>
		<div class="field">
			<label for="login-code">${recovery ? 'Recovery code' : 'Code'}</label>
			<input id="login-code" ref=${field} name="code" value=${code}
				inputmode=${recovery ? 'text' : 'numeric'} autocomplete="one-time-code"
				autocapitalize="none" spellcheck="false" maxlength=${recovery ? 24 : 6}
				onInput=${(e) => setCode(e.currentTarget.value)}
				aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'code-error' : undefined} />
		</div>
		${error ? html`<p id="code-error" class="alert alert-error" role="alert">${error}</p>` : ''}
		<button class="btn btn-primary btn-block" type="submit" disabled=${busy}>
			${busy ? 'Checking…' : 'Verify'}
		</button>
		<p class="login-links">
			<button type="button" class="btn btn-ghost btn-small" onClick=${() => { setRecovery(!recovery); setCode(''); setError(''); }}>
				${recovery ? 'Use a code from the app' : 'Use a recovery code'}
			</button>
			${onCancel ? html`<button type="button" class="btn btn-ghost btn-small" onClick=${onCancel}>Start again</button>` : ''}
		</p>
	</form>`;
}

// Set up TOTP.  onDone(session or null) after the recovery codes are seen:
// when the enrolment finished a pending sign-in the server answers with the
// new session.
export function Enrol({ onDone, required }) {
	const [start, setStart] = useState(null);
	const [code, setCode] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const [result, setResult] = useState(null);

	useEffect(() => {
		api.totpEnrol().then(setStart, (err) => setError(err.problem.detail || err.message));
	}, []);

	const submit = async (e) => {
		e.preventDefault();
		if (busy) return;
		setBusy(true);
		setError('');
		try {
			const r = await api.totpConfirm(code.trim());
			if (r.csrf_token) setCsrfToken(r.csrf_token);
			setResult(r);
		} catch (err) {
			setError(err.problem.detail || err.message);
			setCode('');
		}
		setBusy(false);
	};

	if (result) {
		return html`<div class="enrol">
			<h2 class="login-step">Keep your recovery codes</h2>
			<p>If you lose your phone, each of these codes signs you in once. Print them or write them
				down and keep them apart from your phone. They are shown only now.</p>
			<ol class="recovery-codes" aria-label="Recovery codes">
				${result.recovery_codes.map((c) => html`<li key=${c}><code>${c}</code></li>`)}
			</ol>
			<button class="btn btn-primary btn-block" type="button"
				onClick=${() => onDone(result.status === 'signed_in' ? result : null)}>
				I have kept them — continue
			</button>
		</div>`;
	}
	return html`<form class="enrol" onSubmit=${submit} noValidate>
		<h2 class="login-step">Set up a second factor</h2>
		${required ? html`<p class="alert alert-info" role="status">Your role needs a second factor before you can continue.</p>` : ''}
		<ol class="enrol-steps">
			<li>Install an authenticator app on your phone (FreeOTP, Aegis, Google Authenticator, …).</li>
			<li>Scan this code with it, or type the key below.</li>
			<li>Type the 6-digit code the app then shows.</li>
		</ol>
		${start ? html`<div class="enrol-qr">
			<img src=${`data:image/svg+xml;base64,${b64(start.qr_svg)}`} alt="QR code to scan with the authenticator app"
				width="220" height="220" />
			<p>Key: <code class="totp-secret">${start.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
		</div>` : error ? '' : html`<p class="muted">Making a key…</p>`}
		<div class="field">
			<label for="enrol-code">Code</label>
			<input id="enrol-code" name="code" value=${code} inputmode="numeric" autocomplete="one-time-code"
				maxlength="6" onInput=${(e) => setCode(e.currentTarget.value)}
				aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'enrol-error' : undefined} />
		</div>
		${error ? html`<p id="enrol-error" class="alert alert-error" role="alert">${error}</p>` : ''}
		<button class="btn btn-primary btn-block" type="submit" disabled=${busy || !start}>
			${busy ? 'Checking…' : 'Confirm'}
		</button>
	</form>`;
}
