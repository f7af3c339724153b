// pages/login.js — sign in with username and password, then, when the
// server asks, a second factor (a code or a recovery code) or the TOTP
// enrolment a privileged role needs.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api.js';
import { html } from '../ui.js';
import { CodeStep, Enrol } from './second-factor.js';

export function LoginPage({ onLogin, notice }) {
	const [username, setUsername] = useState('');
	const [password, setPassword] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	// 'password', 'code' or 'enrol'
	const [step, setStep] = useState('password');
	const userField = useRef(null);
	const passField = useRef(null);

	useEffect(() => {
		if (userField.current) userField.current.focus();
	}, []);

	const submit = async (e) => {
		e.preventDefault();
		if (busy) return;
		if (!username.trim() || !password) {
			setError('Enter your username and your password.');
			return;
		}
		setBusy(true);
		setError('');
		try {
			const s = await api.login(username.trim(), password);
			setPassword('');
			setBusy(false);
			if (s.status === 'second_factor_required' || s.status === 'enrolment_required') {
				// A pending session: it may only finish signing in.
				setCsrfToken(s.csrf_token);
				setStep(s.status === 'enrolment_required' ? 'enrol' : 'code');
				return;
			}
			onLogin(s);
		} catch (err) {
			setError(
				err.status === 401 || err.status === 429
					? err.problem.detail || 'The username or the password is wrong.'
					: err.message,
			);
			setPassword('');
			setBusy(false);
			if (passField.current) passField.current.focus();
		}
	};

	return html`<div class="login-wrap">
		<main class="login-card" id="main">
			<div class="login-brand">
				<img src="/favicon.svg" alt="" width="40" height="40" />
				<div>
					<h1>Chancery</h1>
					<p class="muted">Security operations</p>
				</div>
			</div>
			${notice && !error && step === 'password' ? html`<p class="alert alert-info" role="status">${notice}</p>` : ''}
			${step === 'code' ? html`<${CodeStep} onDone=${onLogin}
				onCancel=${() => { api.logout().catch(() => {}); setStep('password'); }} />` : ''}
			${step === 'enrol' ? html`<${Enrol} required=${true} onDone=${(s) => s && onLogin(s)} />` : ''}
			${step === 'password' ? html`<form onSubmit=${submit} noValidate>
				<div class="field">
					<label for="login-username">Username</label>
					<input id="login-username" ref=${userField} name="username" autocomplete="username"
						autocapitalize="none" spellcheck="false" value=${username}
						onInput=${(e) => setUsername(e.currentTarget.value)}
						aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'login-error' : undefined} />
				</div>
				<div class="field">
					<label for="login-password">Password</label>
					<input id="login-password" ref=${passField} name="password" type="password"
						autocomplete="current-password" value=${password}
						onInput=${(e) => setPassword(e.currentTarget.value)}
						aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'login-error' : undefined} />
				</div>
				${error ? html`<p id="login-error" class="alert alert-error" role="alert">${error}</p>` : ''}
				<button class="btn btn-primary btn-block" type="submit" disabled=${busy}>
					${busy ? 'Signing in…' : 'Sign in'}
				</button>
			</form>` : ''}
			<p class="login-foot muted">Authorised users only. Every sign-in is recorded in the audit log.</p>
		</main>
	</div>`;
}
