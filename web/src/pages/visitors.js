// pages/visitors.js — Visitors: the guard's kiosk (today's visitors, the
// screening result, check-in and check-out in two clicks, the badge issued,
// the escort chosen where the visit needs one), the host's registration
// form and their own visitors, and the visitor log with filters and its CSV.
import { useEffect, useState } from 'preact/hooks';
import { api, query, request } from '../api.js';
import { html, fmtTime, ErrorBox, Loading, PageTitle } from '../ui.js';

const DESK = ['security_officer', 'guard'];
const READERS = ['security_officer', 'guard', 'hq'];
const HOSTS = ['security_officer', 'analyst', 'guard', 'staff', 'eac_member'];
const has = (user, roles) => (user.roles || []).some((r) => roles.includes(r));

const STATUS = {
	expected: 'Expected', checked_in: 'Checked in', checked_out: 'Checked out', cancelled: 'Cancelled', no_show: 'No-show',
};
const SCREENING = {
	clear: ['No watchlist hit', 'status-valid'],
	cleared: ['Hit dismissed', 'status-valid'],
	hold: ['Held: a watchlist hit to review', 'status-expired'],
	refused: ['Refused: match confirmed', 'status-expired'],
};

const visitorsApi = {
	list: (params) => request('GET', `/visitors${query(params)}`),
	mine: (params) => request('GET', `/my/visitors${query(params)}`),
	register: (body) => request('POST', '/visitors', { body }),
	checkIn: (id, body) => request('POST', `/visitors/${encodeURIComponent(id)}/check-in`, { body }),
	checkOut: (id) => request('POST', `/visitors/${encodeURIComponent(id)}/check-out`),
	cancel: (id) => request('POST', `/visitors/${encodeURIComponent(id)}/cancel`),
};

const hhmm = (s) => (s ? `${s.slice(11, 16)}` : '');
// A time of day in the post's zone, for the guard at the desk, and what
// to call that zone ("Nairobi time"; UTC stays UTC).
const hhmmIn = (s, tz) => {
	if (!s) return '';
	try {
		return new Date(s).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: tz || 'UTC' });
	} catch {
		return hhmm(s);
	}
};
const zoneName = (tz) => (!tz || tz === 'UTC' ? 'UTC' : `${tz.split('/').pop().replace(/_/g, ' ')} time`);

function ScreeningBadge({ v }) {
	const [words, cls] = SCREENING[v.screening.state] || [v.screening.state, ''];
	return html`<span class=${`badge ${cls}`}>${words}</span>`;
}

function Tabs({ current, user }) {
	const tab = (path, label) => html`<a class=${`btn${current === path ? ' btn-primary' : ''}`}
		aria-current=${current === path ? 'page' : undefined} href=${`#/visitors${path}`}>${label}</a>`;
	return html`<nav class="filters" aria-label="Visitors">
		${has(user, DESK) ? tab('', 'Today (kiosk)') : ''}
		${has(user, HOSTS) ? tab('/register', 'Register a visitor') : ''}
		${has(user, HOSTS) ? tab('/mine', 'My visitors') : ''}
		${has(user, READERS) ? tab('/log', 'Visitor log') : ''}
	</nav>`;
}

// ---- the kiosk ---------------------------------------------------------------

function CheckIn({ v, people, onDone, onCancel }) {
	const [escort, setEscort] = useState('');
	const [badge, setBadge] = useState('');
	const [state, setState] = useState({ busy: false, error: null });
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		try {
			const body = {};
			if (escort) body.escort_person_id = escort;
			if (badge.trim()) body.badge = badge.trim();
			onDone(await visitorsApi.checkIn(v.id, body));
		} catch (err) {
			setState({ busy: false, error: err });
		}
	};
	const held = state.error && state.error.problem && String(state.error.problem.type || '').endsWith('/screening-hold');
	return html`<form class="checkin" onSubmit=${submit} aria-label=${`Check in ${v.name}`}>
		${v.escort_required ? html`<div class="field">
			<label for=${`esc-${v.id}`}>Escort <span class="req">(required)</span></label>
			<select id=${`esc-${v.id}`} value=${escort} onChange=${(e) => setEscort(e.currentTarget.value)}>
				<option value="">Choose the escort…</option>
				${people.map((p) => html`<option key=${p.id} value=${p.id}>${p.given_name} ${p.family_name}</option>`)}
			</select></div>` : ''}
		<div class="field">
			<label for=${`badge-${v.id}`}>Badge handed over</label>
			<input id=${`badge-${v.id}`} value=${badge} placeholder="empty: a new V- number" onInput=${(e) => setBadge(e.currentTarget.value)} />
		</div>
		${held ? html`<div class="alert alert-error" role="alert"><strong>Check-in held.</strong> ${state.error.message}
			<p>Call the security officer: the hit is in the <a href="#/screening/queue">review queue</a>.</p></div>`
		: html`<${ErrorBox} error=${state.error} />`}
		<p>
			<button type="submit" class="btn btn-primary" disabled=${state.busy}>Confirm check-in</button>
			<button type="button" class="btn" onClick=${onCancel}>Back</button>
		</p>
	</form>`;
}

function KioskRow({ v, people, reload, tz }) {
	const [mode, setMode] = useState(null); // null, 'in', 'out'
	const [issued, setIssued] = useState(null);
	const [error, setError] = useState(null);
	const out = async () => {
		setError(null);
		try {
			await visitorsApi.checkOut(v.id);
			setMode(null);
			reload();
		} catch (err) {
			setError(err);
		}
	};
	return html`<li class="panel visitor-card" aria-label=${v.name}>
		<div class="visitor-head">
			<h3>${v.name}</h3>
			<span class=${`badge ${v.status === 'checked_in' ? 'status-valid' : 'badge-muted'}`}>${STATUS[v.status] || v.status}</span>
			<${ScreeningBadge} v=${v} />
			${v.escort_required ? html`<span class="tag tag-warn">Escort needed</span>` : ''}
		</div>
		<p class="cell-sub">${v.organisation || '—'} · host ${v.host_name} · ${hhmmIn(v.arrival, tz)}–${hhmmIn(v.departure, tz)} ${zoneName(tz)} · ${v.purpose}</p>
		${v.badge ? html`<p>Badge <strong class="badge-id">${v.badge}</strong>${v.escort_name ? html` · escort ${v.escort_name}` : ''}
			${v.overstay_alarm_id ? html` · <span class="tag tag-warn">Overstay: alarm raised</span>` : ''}</p>` : ''}
		${issued ? html`<div class="alert alert-info" role="status">Checked in. Hand over badge <strong class="badge-id">${issued.badge}</strong>, valid until ${fmtTime(issued.departure)}.</div>` : ''}
		<${ErrorBox} error=${error} />
		${v.status === 'expected' && mode !== 'in' ? html`<p><button type="button" class="btn btn-primary" onClick=${() => setMode('in')}>Check in</button></p>` : ''}
		${v.status === 'expected' && mode === 'in' ? html`<${CheckIn} v=${v} people=${people}
			onDone=${(r) => { setIssued(r); setMode(null); reload(); }} onCancel=${() => setMode(null)} />` : ''}
		${v.status === 'checked_in' && mode !== 'out' ? html`<p><button type="button" class="btn" onClick=${() => setMode('out')}>Check out</button></p>` : ''}
		${v.status === 'checked_in' && mode === 'out' ? html`<p>
			<button type="button" class="btn btn-primary" onClick=${out}>Confirm check-out</button>
			<button type="button" class="btn" onClick=${() => setMode(null)}>Back</button></p>` : ''}
	</li>`;
}

function KioskPage({ user }) {
	const [list, setList] = useState(null);
	const [day, setDay] = useState(null);
	const [tz, setTz] = useState(null);
	const [people, setPeople] = useState([]);
	const [error, setError] = useState(null);
	const [tick, setTick] = useState(0);
	const reload = () => setTick((t) => t + 1);
	useEffect(() => {
		api.people({ limit: 200 }).then((r) => setPeople(r.items || []), () => setPeople([]));
	}, []);
	useEffect(() => {
		// "today" is the post's day (its time zone), as the server reckons it.
		visitorsApi.list({ day: 'today', limit: 1000 }).then((r) => {
			setList(r.items || []);
			setDay(r.day ? `${r.day}, ${r.time_zone}` : null);
			setTz(r.time_zone || null);
			setError(null);
		}, setError);
		const t = setInterval(reload, 30000);
		return () => clearInterval(t);
	}, [tick]);
	const inside = (list || []).filter((v) => v.status === 'checked_in').length;
	const expected = (list || []).filter((v) => v.status === 'expected');
	return html`<section class="page">
		<${PageTitle} sub=${list ? `${expected.length} expected, ${inside} inside today${day ? ` (${day})` : ''}.` : ''}>Visitors<//>
		<${Tabs} current="" user=${user} />
		<${ErrorBox} error=${error} />
		${!list && !error ? html`<${Loading} what="Loading today's visitors" />` : ''}
		${list && list.length === 0 ? html`<p class="muted">No visitors today.</p>` : ''}
		${list ? html`<ul class="visitor-list">
			${list.filter((v) => v.status === 'expected' || v.status === 'checked_in').map((v) =>
				html`<${KioskRow} key=${v.id} v=${v} people=${people} reload=${reload} tz=${tz} />`)}
		</ul>` : ''}
	</section>`;
}

// ---- registration ---------------------------------------------------------

const localToIso = (s) => (s ? new Date(s).toISOString().replace(/\.\d+Z$/, 'Z') : '');
const isoToLocal = (ms) => {
	const d = new Date(ms - new Date().getTimezoneOffset() * 60000);
	return d.toISOString().slice(0, 16);
};

function RegisterPage({ user }) {
	const [f, setF] = useState({
		name: '', organisation: '', document_type: 'passport', document_number: '', document_country: '',
		nationality: '', date_of_birth: '', purpose: '', arrival: isoToLocal(Date.now() + 3600000),
		departure: isoToLocal(Date.now() + 3 * 3600000), escort_required: false,
	});
	const [zones, setZones] = useState([]);
	const [picked, setPicked] = useState([]);
	const [state, setState] = useState({ busy: false, error: null, done: null });
	useEffect(() => {
		if (user.post_id) api.zones(user.post_id).then((r) => setZones(r.items || []), () => setZones([]));
	}, []);
	const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
	const toggle = (id) => setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : picked.concat(id));
	const fe = state.error ? state.error.fieldErrors || {} : {};
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null, done: null });
		const body = { post_id: user.post_id, name: f.name.trim(), purpose: f.purpose.trim(),
			arrival: localToIso(f.arrival), departure: localToIso(f.departure), escort_required: f.escort_required, zone_ids: picked };
		for (const k of ['organisation', 'document_type', 'document_number', 'document_country', 'nationality', 'date_of_birth']) {
			if (f[k].trim()) body[k] = f[k].trim();
		}
		if (!body.document_number) delete body.document_type;
		try {
			setState({ busy: false, error: null, done: await visitorsApi.register(body) });
		} catch (err) {
			setState({ busy: false, error: err, done: null });
		}
	};
	const field = (id, label, k, extra = {}) => html`<div class="field">
		<label for=${id}>${label}${extra.required ? html` <span class="req">(required)</span>` : ''}</label>
		<input id=${id} type=${extra.type || 'text'} value=${f[k]} required=${!!extra.required} onInput=${set(k)} />
		${fe[k] ? html`<p class="field-error">${fe[k]}</p>` : ''}
		${extra.hint ? html`<p class="hint">${extra.hint}</p>` : ''}
	</div>`;
	return html`<section class="page">
		<${PageTitle} sub="You are the host: the visitor is screened against the watchlists now and again at the gate.">Register a visitor<//>
		<${Tabs} current="/register" user=${user} />
		${state.done ? html`<div class="alert alert-info" role="status">Registered ${state.done.name} for ${fmtTime(state.done.arrival)}.
			Screening: <${ScreeningBadge} v=${state.done} />
			${state.done.screening.state === 'hold' ? ' The security officer reviews the hit before the visitor can check in.' : ''}</div>` : ''}
		<form class="panel form-grid" onSubmit=${submit} aria-label="Register a visitor">
			${field('v-name', 'Full name (as on the document)', 'name', { required: true })}
			${field('v-org', 'Organisation', 'organisation')}
			${field('v-doctype', 'Document type', 'document_type', { hint: 'Sealed at rest; shown to the desk only.' })}
			${field('v-docnum', 'Document number', 'document_number')}
			${field('v-doccountry', 'Issuing country', 'document_country')}
			${field('v-nat', 'Nationality', 'nationality')}
			${field('v-dob', 'Date of birth', 'date_of_birth', { type: 'date', hint: 'Optional: sharpens the screening.' })}
			${field('v-purpose', 'Purpose of the visit', 'purpose', { required: true })}
			${field('v-arrival', 'Expected arrival (your local time)', 'arrival', { type: 'datetime-local', required: true })}
			${field('v-departure', 'Expected departure (badge expires)', 'departure', { type: 'datetime-local', required: true })}
			<div class="field field-check">
				<input id="v-escort" type="checkbox" checked=${f.escort_required} onChange=${set('escort_required')} />
				<label for="v-escort">The visitor must be escorted</label>
			</div>
			<fieldset class="field">
				<legend>Zones the badge opens</legend>
				${zones.map((z) => html`<label key=${z.id} class="check-inline"><input type="checkbox"
					checked=${picked.includes(z.id)} onChange=${() => toggle(z.id)} /> ${z.name}</label>`)}
				${fe.zone_ids ? html`<p class="field-error">${fe.zone_ids}</p>` : ''}
			</fieldset>
			<${ErrorBox} error=${state.error && !Object.keys(fe).length ? state.error : null} />
			<p><button type="submit" class="btn btn-primary" disabled=${state.busy}>Register</button></p>
		</form>
	</section>`;
}

// ---- lists: my visitors, the visitor log ------------------------------------

function VisitorTable({ items, actions }) {
	if (items.length === 0) return html`<p class="muted">No visits.</p>`;
	return html`<table class="people-table">
		<thead><tr><th>Visitor</th><th>Host</th><th>Window (UTC)</th><th>Status</th><th>Screening</th><th>Badge</th><th>In / out</th>${actions ? html`<th></th>` : ''}</tr></thead>
		<tbody>${items.map((v) => html`<tr key=${v.id}>
			<td class="cell-name">${v.name}<div class="cell-sub">${v.organisation || ''}</div></td>
			<td>${v.host_name}</td>
			<td>${fmtTime(v.arrival)} – ${hhmm(v.departure)}</td>
			<td>${STATUS[v.status] || v.status}${v.purged_at ? html` <span class="tag">purged</span>` : ''}</td>
			<td><${ScreeningBadge} v=${v} /></td>
			<td>${v.badge || '—'}</td>
			<td>${v.checked_in_at ? hhmm(v.checked_in_at) : '—'} / ${v.checked_out_at ? hhmm(v.checked_out_at) : '—'}</td>
			${actions ? html`<td>${actions(v)}</td>` : ''}
		</tr>`)}</tbody>
	</table>`;
}

function MinePage({ user }) {
	const [list, setList] = useState(null);
	const [error, setError] = useState(null);
	const [tick, setTick] = useState(0);
	useEffect(() => {
		visitorsApi.mine({}).then((r) => setList(r.items || []), setError);
	}, [tick]);
	const cancel = async (v) => {
		try {
			await visitorsApi.cancel(v.id);
			setTick(tick + 1);
		} catch (err) {
			setError(err);
		}
	};
	return html`<section class="page">
		<${PageTitle} sub="The visitors you host, by expected arrival.">My visitors<//>
		<${Tabs} current="/mine" user=${user} />
		<${ErrorBox} error=${error} />
		${list ? html`<${VisitorTable} items=${list} actions=${(v) => (v.status === 'expected'
			? html`<button type="button" class="btn btn-small" onClick=${() => cancel(v)}>Cancel</button>` : '')} />`
		: html`<${Loading} />`}
	</section>`;
}

function LogPage({ user, params }) {
	const [day, setDay] = useState(params.get('day') || '');
	const [status, setStatus] = useState(params.get('status') || '');
	const [host, setHost] = useState(params.get('host_id') || '');
	const [people, setPeople] = useState([]);
	const [list, setList] = useState(null);
	const [next, setNext] = useState(null);
	const [more, setMore] = useState(false);
	const [error, setError] = useState(null);
	const filters = { day, status, host_id: host };
	const loadMore = () => {
		setMore(true);
		visitorsApi.list({ ...filters, limit: 500, cursor: next }).then((r) => {
			setList((l) => [...(l || []), ...(r.items || [])]);
			setNext(r.next_cursor);
			setMore(false);
		}, (e) => { setError(e); setMore(false); });
	};
	useEffect(() => {
		api.people({ limit: 200 }).then((r) => setPeople(r.items || []), () => setPeople([]));
	}, []);
	useEffect(() => {
		history.replaceState(null, '', `#/visitors/log${query(filters)}`);
		setList(null);
		visitorsApi.list({ ...filters, limit: 500 }).then((r) => {
			setList(r.items || []);
			setNext(r.next_cursor);
			setError(null);
		}, setError);
	}, [day, status, host]);
	return html`<section class="page">
		<${PageTitle} sub="Every visit, by expected arrival. Personal data is purged after the post's retention period.">Visitor log<//>
		<${Tabs} current="/log" user=${user} />
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field"><label for="vl-day">Day (the post's calendar)</label>
				<input id="vl-day" type="date" value=${day} onChange=${(e) => setDay(e.currentTarget.value)} /></div>
			<div class="field"><label for="vl-status">Status</label>
				<select id="vl-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
					<option value="">All</option>
					${Object.entries(STATUS).map(([k, w]) => html`<option key=${k} value=${k}>${w}</option>`)}
				</select></div>
			<div class="field"><label for="vl-host">Host</label>
				<select id="vl-host" value=${host} onChange=${(e) => setHost(e.currentTarget.value)}>
					<option value="">All</option>
					${people.map((p) => html`<option key=${p.id} value=${p.id}>${p.given_name} ${p.family_name}</option>`)}
				</select></div>
			<p><a class="btn" href=${`/api/v1/visitors${query({ ...filters, format: 'csv' })}`} download="visitors.csv">Download CSV (every page)</a></p>
		</form>
		<${ErrorBox} error=${error} />
		${list ? html`<${VisitorTable} items=${list} />` : error ? '' : html`<${Loading} />`}
		${list && next ? html`<p><button type="button" class="btn" disabled=${more} onClick=${loadMore}>
			${more ? 'Loading…' : `Show more (${list.length} shown)`}</button></p>` : ''}
	</section>`;
}

export function VisitorsPage({ user, tab, params }) {
	if (tab === 'register') return html`<${RegisterPage} user=${user} />`;
	if (tab === 'mine') return html`<${MinePage} user=${user} />`;
	if (tab === 'log' && has(user, READERS)) return html`<${LogPage} user=${user} params=${params} />`;
	if (!has(user, DESK)) return has(user, READERS) ? html`<${LogPage} user=${user} params=${params} />` : html`<${MinePage} user=${user} />`;
	return html`<${KioskPage} user=${user} />`;
}
