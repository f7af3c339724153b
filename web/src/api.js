// api.js — the one place that talks to the server.
//
// Every call goes to /api/v1 on the same origin with the session cookie.
// Non-GET requests carry the CSRF token from login or session. Errors are
// RFC 9457 problem details; ApiError keeps them whole so pages can show
// `detail` and put each of `errors[]` next to its field.

const BASE = '/api/v1';
let csrfToken = null;
let onUnauthenticated = () => {};
// Asks the user to confirm their password (main.js shows a dialog); resolves
// when they did, rejects when they cancelled. Null: no one to ask.
let onReauthRequired = null;

export class ApiError extends Error {
	constructor(status, problem) {
		super((problem && (problem.detail || problem.title)) || `The server answered ${status}.`);
		this.status = status;
		this.problem = problem || {};
	}
	// Field errors keyed by field name ("/nationality" and "nationality" alike).
	get fieldErrors() {
		const out = {};
		for (const e of this.problem.errors || []) {
			const key = String(e.field || '').replace(/^\//, '').split('/')[0] || '_';
			out[key] = out[key] ? `${out[key]} ${e.detail}` : e.detail;
		}
		return out;
	}
}

// main.js hands us what to do when the session is gone (show the login page).
export function setUnauthenticatedHandler(fn) {
	onUnauthenticated = fn;
}

export function setReauthHandler(fn) {
	onReauthRequired = fn;
}

const isReauthProblem = (p) => !!p && typeof p.type === 'string' && p.type.endsWith('/reauth-required');

export function setCsrfToken(token) {
	csrfToken = token || null;
}

// A route that needs a recent re-authentication answers 401
// reauth-required: ask for the password once, then send the request again.
export async function request(method, path, opts = {}) {
	try {
		return await send(method, path, opts);
	} catch (err) {
		if (!(err instanceof ApiError) || !isReauthProblem(err.problem) || !onReauthRequired) throw err;
		await onReauthRequired(); // rejects (cancelled) with its own error
		return send(method, path, opts);
	}
}

async function send(method, path, { body, headers = {}, signal, quiet401 = false } = {}) {
	const h = { Accept: 'application/json, application/problem+json', ...headers };
	if (body !== undefined) h['Content-Type'] = 'application/json';
	if (method !== 'GET' && method !== 'HEAD' && csrfToken) h['X-CSRF-Token'] = csrfToken;

	let res;
	try {
		res = await fetch(BASE + path, {
			method,
			headers: h,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
			signal,
		});
	} catch (err) {
		if (err.name === 'AbortError') throw err;
		throw new ApiError(0, {
			title: 'No connection',
			detail: 'The Chancery server could not be reached. Check the network and try again.',
		});
	}

	if (res.status === 204) return null;
	const type = res.headers.get('Content-Type') || '';
	let data = null;
	if (type.includes('json')) {
		try {
			data = await res.json();
		} catch (err) {
			if (err.name === 'AbortError') throw err; // cancelled while reading the body
			data = null;
		}
	}
	if (res.ok && data === null && method === 'GET') {
		throw new ApiError(res.status, { title: 'Bad answer', detail: 'The server sent an answer the console cannot read.' });
	}
	if (res.ok) return data;

	if (res.status === 401 && !quiet401 && !isReauthProblem(data)) onUnauthenticated();
	throw new ApiError(res.status, data || { title: res.statusText, status: res.status });
}

// Build "?a=1&b=2" from an object, leaving out empty values.
export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) {
		if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
	}
	const s = q.toString();
	return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
	session: () => request('GET', '/auth/session', { quiet401: true }),
	login: (username, password) =>
		request('POST', '/auth/login', { body: { username, password }, quiet401: true }),
	logout: () => request('POST', '/auth/logout', { quiet401: true }),
	secondFactor: (body) => request('POST', '/auth/login/second-factor', { body, quiet401: true }),
	totpStatus: () => request('GET', '/auth/totp'),
	totpEnrol: () => request('POST', '/auth/totp/enrolment', { quiet401: true }),
	totpConfirm: (code) => request('POST', '/auth/totp/enrolment/confirm', { body: { code }, quiet401: true }),
	sessions: () => request('GET', '/auth/sessions'),
	endSession: (id) => request('DELETE', `/auth/sessions/${enc(id)}`),

	reauth: (password, code) =>
		request('POST', '/auth/reauth', { body: code ? { password, code } : { password }, quiet401: true }),

	users: () => request('GET', '/users'),
	createUser: (body) => request('POST', '/users', { body }),
	updateUser: (id, body) => request('PATCH', `/users/${enc(id)}`, { body }),
	devices: () => request('GET', '/devices'),
	createDevice: (body) => request('POST', '/devices', { body }),
	revokeDevice: (id) => request('DELETE', `/devices/${enc(id)}`),
	auditCheckpoint: () => request('GET', '/audit/checkpoint'),
	auditRecords: (from, limit, signal) => request('GET', `/audit/records${query({ from, limit })}`, { signal }),
	auditInclusion: (index, size) => request('GET', `/audit/proof/inclusion${query({ index, size })}`),

	posts: () => request('GET', '/posts'),
	zones: (postId) => request('GET', `/posts/${enc(postId)}/zones`),
	staffCategories: () => request('GET', '/reference/staff-categories'),

	people: (params, signal) => request('GET', `/people${query(params)}`, { signal }),
	person: (id, signal) => request('GET', `/people/${enc(id)}`, { signal }),
	createPerson: (body) => request('POST', '/people', { body }),
	incidents: (params, signal) => request('GET', `/incidents${query(params)}`, { signal }),
	incident: (id, signal) => request('GET', `/incidents/${enc(id)}`, { signal }),
	moveIncident: (id, to, reason) =>
		request('POST', `/incidents/${enc(id)}/transitions`, { body: { to, reason } }),
	updatePerson: (id, version, body) =>
		request('PATCH', `/people/${enc(id)}`, { body, headers: { 'If-Match': `"${version}"` } }),
	// watchlist screening
	watchlists: () => request('GET', '/watchlists'),
	watchlistVersions: (id) => request('GET', `/watchlists/${enc(id)}/versions`),
	watchlistEntries: (id, params) => request('GET', `/watchlists/${enc(id)}/entries${query(params)}`),
	screen: (body) => request('POST', '/screenings', { body }),
	lookout: (postId) => request('GET', `/posts/${enc(postId)}/lookout`),
	addLookout: (postId, body) => request('POST', `/posts/${enc(postId)}/lookout`, { body }),
	removeLookout: (id) => request('DELETE', `/lookout/${enc(id)}`),
	screeningSettings: (postId) => request('GET', `/posts/${enc(postId)}/screening-settings`),
	setScreeningSettings: (postId, body) => request('PUT', `/posts/${enc(postId)}/screening-settings`, { body }),
	hits: (params) => request('GET', `/hits${query(params)}`),
	adjudicate: (id, decision, reason) =>
		request('POST', `/hits/${enc(id)}/adjudication`, { body: { decision, reason } }),
};
