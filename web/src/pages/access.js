// pages/access.js — Facility & access: the access log with filters (newest
// first, decision, reader, badge holder, time range), and the occupancy and
// muster board (count per zone, who is inside since when, the muster list as
// CSV), with the post's posture and the anomalies the log shows; and the
// alarm board (raised, acknowledged, resolved; escalation; an optional
// sound when a new alarm comes in).
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, fmtTime, ErrorBox, Loading, PageTitle } from '../ui.js';

const PAGE = 100;
const REASONS = {
	granted: 'Granted', granted_exit: 'Exit', unknown_point: 'Unknown reader', unknown_credential: 'Unknown badge',
	credential_suspended: 'Badge suspended', credential_revoked: 'Badge revoked', credential_lost: 'Badge reported lost',
	not_yet_valid: 'Not yet valid', expired: 'Expired', pin_required: 'PIN required', wrong_pin: 'Wrong PIN',
	clearance: 'Clearance too low', no_rule: 'No rule grants', deny_rule: 'Denied by a rule',
	outside_schedule: 'Outside schedule', lockdown: 'Lockdown', heightened: 'Heightened posture',
	escort_required: 'Escort required', visitor_refused: 'Visitor refused', passback: 'Anti-passback', unbound: 'Unbound badge',
};
const ANOMALIES = {
	repeated_denials: 'Repeated denials', outside_schedule: 'Outside schedule',
	impossible_travel: 'Impossible travel', no_exit: 'No exit',
};

function Tabs({ current }) {
	const tab = (path, label) => html`<a class=${`btn${current === path ? ' btn-primary' : ''}`}
		aria-current=${current === path ? 'page' : undefined} href=${`#/facility${path}`}>${label}</a>`;
	return html`<nav class="filters" aria-label="Facility & access">
		${tab('', 'Access log')} ${tab('/occupancy', 'Occupancy & muster')} ${tab('/alarms', 'Alarms')} ${tab('/tours', 'Tours')}
	</nav>`;
}

export function AccessLogPage({ params }) {
	const [decision, setDecision] = useState(params.get('decision') || '');
	const [pointId, setPointId] = useState(params.get('point_id') || '');
	const [since, setSince] = useState(params.get('since') || '');
	const [points, setPoints] = useState([]);
	const [list, setList] = useState({ items: [], next: null, loading: true, error: null });
	const filters = { decision, point_id: pointId, since: since ? `${since}T00:00:00Z` : '' };

	useEffect(() => {
		api.accessPoints().then((r) => setPoints(r.items || []), () => setPoints([]));
	}, []);
	useEffect(() => {
		history.replaceState(null, '', `#/facility${query({ decision, point_id: pointId, since })}`);
		const ctl = new AbortController();
		setList((l) => ({ ...l, loading: true, error: null }));
		api.accessEvents({ ...filters, limit: PAGE }, ctl.signal).then(
			(r) => setList({ items: r.items || [], next: r.next_cursor || null, loading: false, error: null }),
			(err) => err.name !== 'AbortError' && setList({ items: [], next: null, loading: false, error: err }),
		);
		return () => ctl.abort();
	}, [decision, pointId, since]);

	const loadMore = async () => {
		const r = await api.accessEvents({ ...filters, limit: PAGE, cursor: list.next });
		setList((l) => ({ ...l, items: l.items.concat(r.items || []), next: r.next_cursor || null }));
	};

	return html`<section class="page">
		<${PageTitle} sub="Every decision of the post's readers, newest first, as recorded before the reader was answered.">Facility & access<//>
		<${Tabs} current="" />
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field">
				<label for="acc-decision">Decision</label>
				<select id="acc-decision" value=${decision} onChange=${(e) => setDecision(e.currentTarget.value)}>
					<option value="">All</option><option value="grant">Granted</option><option value="deny">Denied</option>
				</select>
			</div>
			<div class="field">
				<label for="acc-point">Reader</label>
				<select id="acc-point" value=${pointId} onChange=${(e) => setPointId(e.currentTarget.value)}>
					<option value="">All</option>
					${points.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
				</select>
			</div>
			<div class="field">
				<label for="acc-since">Since (UTC day)</label>
				<input id="acc-since" type="date" value=${since} onChange=${(e) => setSince(e.currentTarget.value)} />
			</div>
		</form>
		<p class="result-count" role="status" aria-live="polite">
			${list.loading ? 'Loading…' : list.error ? '' : `${list.items.length}${list.next ? '+' : ''} decisions.`}
		</p>
		<${ErrorBox} error=${list.error} />
		${list.items.length > 0 ? html`<table class="people-table access-table">
			<caption class="visually-hidden">Access decisions</caption>
			<thead><tr>
				<th scope="col">When</th><th scope="col">Who</th><th scope="col">Reader</th>
				<th scope="col">Direction</th><th scope="col">Decision</th>
			</tr></thead>
			<tbody class=${list.loading ? 'stale' : ''}>
				${list.items.map((e) => html`<tr key=${e.id}>
					<td data-label="When">${fmtTime(e.at)}</td>
					<td class="cell-name">${e.person_name || html`<span class="muted">Unknown</span>`}
						<span class="cell-sub">Badge ${e.badge}</span></td>
					<td data-label="Reader">${e.point_name || html`<span class="muted">Unknown reader</span>`}</td>
					<td data-label="Direction">${e.direction === 'in' ? 'In' : 'Out'}</td>
					<td data-label="Decision">
						<span class=${`badge ${e.decision === 'grant' ? 'status-valid' : 'status-expired'}`}>
							${REASONS[e.reason] || e.reason}</span>
						${e.passback_flag ? html` <span class="tag tag-warn">passback</span>` : ''}
					</td>
				</tr>`)}
			</tbody>
		</table>` : ''}
		${list.loading && list.items.length === 0 ? html`<${Loading} what="Loading the access log" />` : ''}
		${!list.loading && !list.error && list.items.length === 0 ? html`<div class="panel empty"><p>No decisions match.</p></div>` : ''}
		${list.next && !list.loading ? html`<div class="load-more">
			<button type="button" class="btn" onClick=${loadMore}>Load more</button></div>` : ''}
	</section>`;
}

export function OccupancyPage({ user }) {
	const [state, setState] = useState({ occ: null, anomalies: null, posture: null, error: null });
	const [reload, setReload] = useState(0);

	useEffect(() => {
		let live = true;
		Promise.all([api.occupancy(), api.anomalies(), user.post_id ? api.posture(user.post_id) : null]).then(
			([occ, an, posture]) => live && setState({ occ, anomalies: an.items || [], posture, error: null }),
			(error) => live && setState({ occ: null, anomalies: null, posture: null, error }),
		);
		const t = setInterval(() => setReload((n) => n + 1), 15000);
		return () => {
			live = false;
			clearInterval(t);
		};
	}, [reload]);

	const { occ, anomalies, posture, error } = state;
	if (error) return html`<section class="page"><${PageTitle}>Occupancy & muster<//><${Tabs} current="/occupancy" /><${ErrorBox} error=${error} /></section>`;
	if (!occ) return html`<section class="page"><${Loading} what="Loading occupancy" /></section>`;
	return html`<section class="page">
		<${PageTitle} sub=${`${occ.total} inside now. Refreshed every 15 seconds.`}>Occupancy & muster<//>
		<${Tabs} current="/occupancy" />
		${posture ? html`<p class="posture">Posture: <span class=${`badge ${posture.posture === 'normal' ? 'status-valid' : 'status-expired'}`}>
			${posture.posture}</span></p>` : ''}
		<div class="person-grid">
			<section class="panel" aria-labelledby="zones-h">
				<h2 id="zones-h">Per zone</h2>
				<table class="people-table">
					<thead><tr><th scope="col">Zone</th><th scope="col">Inside</th></tr></thead>
					<tbody>${occ.zones.map((z) => html`<tr key=${z.zone_id}><td>${z.name}</td><td data-label="Inside">${z.count}</td></tr>`)}</tbody>
				</table>
			</section>
			<section class="panel" aria-labelledby="anom-h">
				<h2 id="anom-h">Anomalies (7 days)</h2>
				${anomalies.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="anomalies">
					${anomalies.slice(0, 50).map((a, i) => html`<li key=${i}>
						<span class="tag tag-warn">${ANOMALIES[a.kind] || a.kind}</span> ${fmtTime(a.at)} — ${a.detail}</li>`)}
				</ul>`}
			</section>
		</div>
		<section class="panel" aria-labelledby="muster-h">
			<h2 id="muster-h">Muster list</h2>
			<p><a class="btn" href="/api/v1/access/muster?format=csv" download="muster.csv">Download CSV</a></p>
			<table class="people-table">
				<thead><tr><th scope="col">Name</th><th scope="col">Zone</th><th scope="col">Category</th><th scope="col">Since</th></tr></thead>
				<tbody>${occ.people.map((p) => html`<tr key=${p.credential_id}>
					<td class="cell-name">${p.person_id ? html`<a href=${`#/people/${encodeURIComponent(p.person_id)}`}>${p.name}</a>` : 'Visitor'}</td>
					<td data-label="Zone">${p.zone_name}</td>
					<td data-label="Category">${p.category || ''}</td>
					<td data-label="Since">${fmtTime(p.since)}</td>
				</tr>`)}</tbody>
			</table>
		</section>
	</section>`;
}

const ALARM_KINDS = {
	intrusion: 'Intrusion', duress: 'Duress', fire: 'Fire', tamper: 'Tamper',
	door_forced: 'Door forced', door_held_open: 'Door held open',
	visitor_overstay: 'Visitor overstay',
};

// A short tone through Web Audio (no file, nothing inline for the CSP).
function beep() {
	try {
		const Ctx = window.AudioContext || window.webkitAudioContext;
		const ctx = new Ctx();
		const osc = ctx.createOscillator();
		const gain = ctx.createGain();
		osc.frequency.value = 880;
		gain.gain.value = 0.2;
		osc.connect(gain).connect(ctx.destination);
		osc.start();
		osc.stop(ctx.currentTime + 0.4);
	} catch {
		/* no audio: the board still shows it */
	}
}

function AlarmRow({ alarm, canHandle, onDone }) {
	const [note, setNote] = useState('');
	const [error, setError] = useState(null);
	const act = async (fn) => {
		setError(null);
		try {
			await fn(alarm.id, note);
			setNote('');
			onDone();
		} catch (err) {
			setError(err);
		}
	};
	const open = alarm.status !== 'resolved';
	return html`<li class=${`panel alarm alarm-${alarm.status}`}>
		<p><span class=${`badge ${alarm.status === 'raised' ? 'status-expired' : alarm.status === 'acknowledged' ? 'status-expiring' : 'status-valid'}`}>
			${alarm.status}</span> <strong>${ALARM_KINDS[alarm.kind] || alarm.kind}</strong> — ${fmtTime(alarm.raised_at)}
			${alarm.level > 0 ? html` <span class="tag tag-warn">escalated to ${alarm.escalated_to}</span>` : ''}</p>
		${alarm.detail ? html`<p>${alarm.detail}</p>` : ''}
		${alarm.notes ? html`<pre class="alarm-notes">${alarm.notes}</pre>` : ''}
		${open && canHandle ? html`<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field field-grow">
				<label for=${`note-${alarm.id}`}>Note</label>
				<input id=${`note-${alarm.id}`} value=${note} maxlength="1000" onInput=${(e) => setNote(e.currentTarget.value)} />
			</div>
			${alarm.status === 'raised' ? html`<button type="button" class="btn btn-primary"
				onClick=${() => act(api.acknowledgeAlarm)}>Acknowledge</button>` : ''}
			<button type="button" class="btn" disabled=${!note.trim()} onClick=${() => act(api.resolveAlarm)}>Resolve</button>
		</form>` : ''}
		<${ErrorBox} error=${error} />
	</li>`;
}

export function AlarmsPage({ user }) {
	const [state, setState] = useState({ items: null, error: null });
	const [reload, setReload] = useState(0);
	const [sound, setSound] = useState(false);
	const [seen] = useState(() => new Set());
	const canHandle = (user.roles || []).some((r) => r === 'security_officer' || r === 'guard');

	useEffect(() => {
		let live = true;
		api.alarms().then((r) => {
			if (!live) return;
			const items = r.items || [];
			const fresh = items.some((a) => a.status === 'raised' && !seen.has(a.id));
			const first = seen.size === 0;
			items.forEach((a) => seen.add(a.id));
			if (sound && fresh && !first) beep();
			setState({ items, error: null });
		}, (error) => live && setState({ items: null, error }));
		const t = setTimeout(() => setReload((n) => n + 1), 5000);
		return () => {
			live = false;
			clearTimeout(t);
		};
	}, [reload]);

	const { items, error } = state;
	const open = (items || []).filter((a) => a.status !== 'resolved');
	const closed = (items || []).filter((a) => a.status === 'resolved').slice(0, 20);
	return html`<section class="page">
		<${PageTitle} sub=${items ? `${open.length} open. Unacknowledged alarms go to the duty officer after 2 minutes, the security officer after 5.` : ''}>Alarms<//>
		<${Tabs} current="/alarms" />
		<p><label><input type="checkbox" checked=${sound} onChange=${(e) => setSound(e.currentTarget.checked)} /> Sound on a new alarm</label></p>
		<${ErrorBox} error=${error} />
		${!items && !error ? html`<${Loading} what="Loading alarms" />` : ''}
		${items ? html`<h2>Open</h2>
			${open.length === 0 ? html`<p class="muted">No open alarm.</p>` : html`<ul class="alarms">
				${open.map((a) => html`<${AlarmRow} key=${a.id} alarm=${a} canHandle=${canHandle} onDone=${() => setReload((n) => n + 1)} />`)}
			</ul>`}
			<h2>Recently resolved</h2>
			${closed.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="alarms">
				${closed.map((a) => html`<${AlarmRow} key=${a.id} alarm=${a} canHandle=${false} onDone=${() => {}} />`)}
			</ul>`}` : ''}
	</section>`;
}

export function ToursPage() {
	const [state, setState] = useState({ items: null, error: null });
	useEffect(() => {
		api.tours().then((r) => setState({ items: r.items || [], error: null }), (error) => setState({ items: null, error }));
	}, []);
	const { items, error } = state;
	return html`<section class="page">
		<${PageTitle} sub="Each tour with every checkpoint: on time, late, out of turn or missed.">Guard tours<//>
		<${Tabs} current="/tours" />
		<${ErrorBox} error=${error} />
		${!items && !error ? html`<${Loading} what="Loading tours" />` : ''}
		${items && items.length === 0 ? html`<p class="muted">No tour yet.</p>` : ''}
		${items && items.length > 0 ? html`<table class="people-table tours-table">
			<caption class="visually-hidden">Guard tours</caption>
			<thead><tr><th scope="col">Route</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Checkpoints</th></tr></thead>
			<tbody>${items.map((t) => html`<tr key=${t.id}>
				<td class="cell-name">${t.route_name}<span class="cell-sub">by ${t.started_by}</span></td>
				<td data-label="Started">${fmtTime(t.started_at)}</td>
				<td data-label="Status">${t.status}${t.summary.missed || t.summary.out_of_order || t.summary.late
					? html` <span class="tag tag-warn">${t.summary.missed} missed, ${t.summary.late} late, ${t.summary.out_of_order} out of turn</span>` : ''}</td>
				<td data-label="Checkpoints">${t.scans.map((x) => html`<span key=${x.seq} class=${`badge ${x.missed ? 'status-expired' : x.in_order && x.on_time ? 'status-valid' : 'status-expiring'}`}
					title=${x.scanned_at ? fmtTime(x.scanned_at) : 'missed'}>${x.seq}. ${x.checkpoint}</span> `)}</td>
			</tr>`)}</tbody>
		</table>` : ''}
	</section>`;
}
