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

// Send a file as the body of a POST, with its own Content-Type.
async function upload(path, file) {
	const res = await fetch(BASE + path, {
		method: 'POST',
		headers: { Accept: 'application/json, application/problem+json', 'Content-Type': file.type || 'application/octet-stream',
			...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) },
		body: file,
		credentials: 'same-origin',
		cache: 'no-store',
	}).catch(() => {
		throw new ApiError(0, { title: 'No connection', detail: 'The file could not be sent. Check the network and try again.' });
	});
	const data = (res.headers.get('Content-Type') || '').includes('json') ? await res.json().catch(() => null) : null;
	if (res.ok) return data;
	if (res.status === 401) onUnauthenticated();
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
	trends: (postId, signal) => request('GET', `/posts/${enc(postId)}/trends`, { signal }),
	incidents: (params, signal) => request('GET', `/incidents${query(params)}`, { signal }),
	reportIncident: (body) => request('POST', '/incidents', { body }),
	incident: (id, signal) => request('GET', `/incidents/${enc(id)}`, { signal }),
	// An evidence file: the body is the file itself, its type the file's.
	addEvidence: (id, file, description) => upload(`/incidents/${enc(id)}/evidence${query({ name: file.name, description })}`, file),
	moveIncident: (id, to, reason) =>
		request('POST', `/incidents/${enc(id)}/transitions`, { body: { to, reason } }),
	updatePerson: (id, version, body) =>
		request('PATCH', `/people/${enc(id)}`, { body, headers: { 'If-Match': `"${version}"` } }),
	// Intelligence: graded reports, sources, threat actors, named places.
	intelReports: (params, signal) => request('GET', `/intel/reports${query(params)}`, { signal }),
	intelReport: (id, signal) => request('GET', `/intel/reports/${enc(id)}`, { signal }),
	createIntelReport: (body) => request('POST', '/intel/reports', { body }),
	updateIntelReport: (id, version, body) =>
		request('PATCH', `/intel/reports/${enc(id)}`, { body, headers: { 'If-Match': `"${version}"` } }),
	assessIntelReport: (id, outcome, note) =>
		request('POST', `/intel/reports/${enc(id)}/assessment`, { body: { outcome, note } }),
	setIntelReportStatus: (id, status) => request('POST', `/intel/reports/${enc(id)}/status`, { body: { status } }),
	intelSources: (signal) => request('GET', '/intel/sources', { signal }),
	intelSource: (id, signal) => request('GET', `/intel/sources/${enc(id)}`, { signal }),
	intelSourceIdentity: (id) => request('GET', `/intel/sources/${enc(id)}/identity`),
	createIntelSource: (body) => request('POST', '/intel/sources', { body }),
	updateIntelSource: (id, version, body) =>
		request('PATCH', `/intel/sources/${enc(id)}`, { body, headers: { 'If-Match': `"${version}"` } }),
	intelActors: (q, signal) => request('GET', `/intel/actors${query({ q })}`, { signal }),
	intelActor: (id, signal) => request('GET', `/intel/actors/${enc(id)}`, { signal }),
	createIntelActor: (body) => request('POST', '/intel/actors', { body }),
	intelPlaces: (q, signal) => request('GET', `/intel/places${query({ q })}`, { signal }),
	intelPlace: (id, signal) => request('GET', `/intel/places/${enc(id)}`, { signal }),
	createIntelPlace: (body) => request('POST', '/intel/places', { body }),

	// Threat ratings and the risk register.
	ratings: (postId, params, signal) => request('GET', `/posts/${enc(postId)}/ratings${query(params)}`, { signal }),
	setRating: (postId, body) => request('POST', `/posts/${enc(postId)}/ratings`, { body }),
	risks: (postId, params, signal) => request('GET', `/posts/${enc(postId)}/risks${query(params)}`, { signal }),
	risk: (id, signal) => request('GET', `/risks/${enc(id)}`, { signal }),
	createRisk: (body) => request('POST', '/risks', { body }),
	updateRisk: (id, version, body) =>
		request('PATCH', `/risks/${enc(id)}`, { body, headers: { 'If-Match': `"${version}"` } }),
	reviewRisk: (id, body) => request('POST', `/risks/${enc(id)}/review`, { body }),

	accessEvents: (params, signal) => request('GET', `/access/events${query(params)}`, { signal }),
	accessPoints: () => request('GET', '/access/points'),
	occupancy: () => request('GET', '/access/occupancy'),
	anomalies: () => request('GET', '/access/anomalies'),
	posture: (postId) => request('GET', `/posts/${enc(postId)}/posture`),
	alarms: (params) => request('GET', `/access/alarms${query(params || {})}`),
	acknowledgeAlarm: (id, note) => request('POST', `/access/alarms/${enc(id)}/acknowledge`, { body: note ? { note } : {} }),
	tours: () => request('GET', '/tours'),
	resolveAlarm: (id, note) => request('POST', `/access/alarms/${enc(id)}/resolve`, { body: { note } }),
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
