// pages/incidents.js — the incidents of the post: a filtered list, newest
// first, and one incident with its people (and their immunity), the
// Vienna Convention articles that bear on it, its workflow with a reason
// for each move, and its timeline from the audit log.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, fmtTime, ErrorBox, ImmunityBadge, Loading, PageTitle } from '../ui.js';

const PAGE = 50;
const STATUSES = ['reported', 'triaged', 'investigating', 'closed'];
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
const TYPES = {
	terrorist_attack: 'Terrorist attack or bombing', espionage: 'Espionage or intelligence breach',
	cyberattack: 'Cyberattack', hostile_protest: 'Hostile protest', kidnapping_or_assault: 'Kidnapping or assault',
	sabotage: 'Sabotage', crime: 'Crime', surveillance_detected: 'Surveillance detected', other: 'Other',
};
const CATEGORIES = {
	political_violence: 'Political violence', terrorism: 'Terrorism', crime: 'Crime',
	human_intelligence: 'Human intelligence', technical_cyber: 'Technical and cyber',
};
const words = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');

// The moves a user's roles allow from a status (mirrors the server's table;
// the server decides).
const MOVES = [
	{ from: 'reported', to: 'triaged', label: 'Triage', roles: ['security_officer', 'analyst'] },
	{ from: 'triaged', to: 'investigating', label: 'Start investigating', roles: ['security_officer', 'analyst'] },
	{ from: 'reported', to: 'closed', label: 'Close', roles: ['security_officer'] },
	{ from: 'triaged', to: 'closed', label: 'Close', roles: ['security_officer'] },
	{ from: 'investigating', to: 'closed', label: 'Close', roles: ['security_officer'] },
	{ from: 'closed', to: 'investigating', label: 'Reopen', roles: ['security_officer'] },
];

function SeverityBadge({ severity }) {
	return html`<span class=${`badge sev-${String(severity).toLowerCase()}`}>${severity}</span>`;
}

export function IncidentsPage({ params }) {
	const [status, setStatus] = useState(params.get('status') || '');
	const [type, setType] = useState(params.get('type') || '');
	const [severity, setSeverity] = useState(params.get('severity') || '');
	const [list, setList] = useState({ items: [], next: null, loading: true, error: null });
	const [more, setMore] = useState({ loading: false, error: null });
	const filters = { status, type, severity };

	useEffect(() => {
		history.replaceState(null, '', `#/threats${query(filters)}`);
		const ctl = new AbortController();
		setList((l) => ({ ...l, loading: true, error: null }));
		api.incidents({ ...filters, limit: PAGE }, ctl.signal).then(
			(r) => setList({ items: r.items || [], next: r.next_cursor || null, loading: false, error: null }),
			(err) => err.name !== 'AbortError' && setList({ items: [], next: null, loading: false, error: err }),
		);
		return () => ctl.abort();
	}, [status, type, severity]);

	const loadMore = async () => {
		setMore({ loading: true, error: null });
		try {
			const r = await api.incidents({ ...filters, limit: PAGE, cursor: list.next });
			setList((l) => ({ ...l, items: l.items.concat(r.items || []), next: r.next_cursor || null }));
			setMore({ loading: false, error: null });
		} catch (err) {
			setMore({ loading: false, error: err });
		}
	};

	const select = (id, label, value, set, options) => html`<div class="field">
		<label for=${id}>${label}</label>
		<select id=${id} value=${value} onChange=${(e) => set(e.currentTarget.value)}>
			<option value="">All</option>
			${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
		</select>
	</div>`;

	return html`<section class="page">
		<div class="page-head-row">
			<${PageTitle} sub="Newest first. Only incidents you may read are listed.">Threats & incidents<//>
			<a class="btn btn-primary" href="#/threats/new">Report an incident</a>
		</div>
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			${select('inc-status', 'Status', status, setStatus, STATUSES.map((s) => [s, words(s)]))}
			${select('inc-type', 'Type', type, setType, Object.entries(TYPES))}
			${select('inc-severity', 'Severity', severity, setSeverity, SEVERITIES.map((s) => [s, s]))}
		</form>
		<p class="result-count" role="status" aria-live="polite">
			${list.loading ? 'Loading…' : list.error ? '' : `${list.items.length}${list.next ? '+' : ''} incidents.`}
		</p>
		<${ErrorBox} error=${list.error} />
		${!list.loading && !list.error && list.items.length === 0 ? html`<div class="panel empty">
			<p>No incidents match.</p></div>` : ''}
		${list.items.length > 0 ? html`<table class="people-table incidents-table">
			<caption class="visually-hidden">Incidents</caption>
			<thead><tr>
				<th scope="col">Incident</th><th scope="col">Occurred</th><th scope="col">Severity</th>
				<th scope="col">Status</th><th scope="col">TLP</th>
			</tr></thead>
			<tbody class=${list.loading ? 'stale' : ''}>
				${list.items.map((i) => html`<tr key=${i.id}>
					<td class="cell-name">
						<a class="row-link" href=${`#/threats/${encodeURIComponent(i.id)}`}>${i.title}</a>
						<span class="cell-sub">${TYPES[i.type] || i.type} · ${CATEGORIES[i.category] || i.category}</span>
					</td>
					<td data-label="Occurred">${fmtTime(i.occurred_at)}</td>
					<td data-label="Severity"><${SeverityBadge} severity=${i.severity} /></td>
					<td data-label="Status">${words(i.status)}</td>
					<td data-label="TLP"><span class="tag">TLP:${i.tlp}</span></td>
				</tr>`)}
			</tbody>
		</table>` : ''}
		${list.loading && list.items.length === 0 ? html`<${Loading} what="Loading incidents" />` : ''}
		${list.next && !list.loading ? html`<div class="load-more">
			<${ErrorBox} error=${more.error} />
			<button type="button" class="btn" onClick=${loadMore} disabled=${more.loading}>
				${more.loading ? 'Loading…' : 'Load more'}
			</button>
		</div>` : ''}
	</section>`;
}

export function IncidentPage({ id, user }) {
	const [state, setState] = useState({ inc: null, error: null });
	const [reload, setReload] = useState(0);

	useEffect(() => {
		const ctl = new AbortController();
		api.incident(id, ctl.signal).then(
			(inc) => setState({ inc, error: null }),
			(error) => error.name !== 'AbortError' && setState({ inc: null, error }),
		);
		return () => ctl.abort();
	}, [id, reload]);

	const { inc, error } = state;
	if (error) {
		return html`<section class="page">
			<p class="back"><a href="#/threats">← Incidents</a></p>
			<h1 id="page-title" tabindex="-1">${error.status === 404 ? 'No such incident' : 'This incident could not be shown'}</h1>
			<${ErrorBox} error=${error} />
		</section>`;
	}
	if (!inc) return html`<section class="page"><${Loading} what="Loading the incident" /></section>`;

	const place = [inc.zone_name, inc.place_name,
		inc.latitude !== null ? `${inc.latitude.toFixed(4)}, ${inc.longitude.toFixed(4)}` : ''].filter(Boolean).join(' · ');
	const rows = [
		['Type', TYPES[inc.type] || inc.type],
		['Threat category', CATEGORIES[inc.category] || inc.category],
		['Where', `${words(inc.place_kind)}${place ? ` — ${place}` : ''}`],
		['Occurred', fmtTime(inc.occurred_at)],
		['Reported', fmtTime(inc.reported_at)],
		['Classification', inc.classification],
		['TLP', `TLP:${inc.tlp}`],
	];
	return html`<article class="page incident">
		<p class="back"><a href="#/threats">← Incidents</a></p>
		<${PageTitle} sub=${html`<${SeverityBadge} severity=${inc.severity} /> · ${words(inc.status)}`}>${inc.title}<//>
		<div class="person-grid">
			<div>
				<section class="panel" aria-labelledby="what-h">
					<h2 id="what-h">What happened</h2>
					<p class="incident-text">${inc.description || html`<span class="muted">No description.</span>`}</p>
					<dl class="details">
						${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}
					</dl>
				</section>
				<${Articles} items=${inc.articles} />
				<${People} items=${inc.people} />
				<${Evidence} inc=${inc} user=${user} onAdded=${() => setReload((n) => n + 1)} />
			</div>
			<div class="person-side">
				<${Workflow} inc=${inc} user=${user} onMoved=${() => setReload((n) => n + 1)} />
				<${Timeline} items=${inc.timeline} transitions=${inc.transitions} />
			</div>
		</div>
	</article>`;
}

function Articles({ items }) {
	return html`<section class="panel" aria-labelledby="articles-h">
		<h2 id="articles-h">Vienna Conventions</h2>
		${items.length === 0 ? html`<p class="muted">No article of the Vienna Conventions bears on this incident.</p>`
			: html`<ul class="articles">${items.map((a) => html`<li key=${a.code}>
				<strong>${a.convention} ${a.article}</strong> — ${a.title}
				<p>${a.explanation}</p>
			</li>`)}</ul>`}
	</section>`;
}

function People({ items }) {
	if (items.length === 0) return null;
	return html`<section class="panel" aria-labelledby="people-h">
		<h2 id="people-h">People involved</h2>
		<ul class="household">${items.map((p) => html`<li key=${p.person_id}>
			${p.full_name ? html`<a href=${`#/people/${encodeURIComponent(p.person_id)}`}>${p.full_name}</a>`
				: html`<span class="muted">A person you may not see</span>`}
			<span class="muted"> — ${p.role}${p.category_label ? `, ${p.category_label}` : ''}</span>
			${p.immunity ? html` <${ImmunityBadge} immunity=${p.immunity} />
				<p class="cell-sub">${p.immunity.summary}</p>` : ''}
		</li>`)}</ul>
	</section>`;
}

function Workflow({ inc, user, onMoved }) {
	const roles = user.roles || [];
	const moves = MOVES.filter((m) => m.from === inc.status && m.roles.some((r) => roles.includes(r)));
	const [reason, setReason] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	if (moves.length === 0) return null;
	const move = async (to) => {
		setBusy(true);
		setError(null);
		try {
			await api.moveIncident(inc.id, to, reason.trim());
			setReason('');
			onMoved();
		} catch (err) {
			setError(err);
		}
		setBusy(false);
	};
	return html`<section class="panel" aria-labelledby="workflow-h">
		<h2 id="workflow-h">Workflow</h2>
		<form onSubmit=${(e) => e.preventDefault()}>
			<div class="field">
				<label for="move-reason">Reason</label>
				<textarea id="move-reason" rows="3" maxlength="1000" value=${reason}
					onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
			</div>
			<${ErrorBox} error=${error} />
			<p>${moves.map((m) => html`<button key=${m.to} type="button" class="btn" disabled=${busy || !reason.trim()}
				onClick=${() => move(m.to)}>${m.label}</button> `)}</p>
		</form>
	</section>`;
}

const fmtSize = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`);
const EVIDENCE_TYPES = 'image/jpeg,image/png,image/webp,application/pdf,video/mp4,audio/mpeg,text/plain';

// The files of an incident, each with its SHA-256 so a copy handed to the
// police can be checked against what was recorded; an upload for those who
// may change the incident.
function Evidence({ inc, user, onAdded }) {
	const roles = user.roles || [];
	const mayAdd = roles.includes('security_officer') || roles.includes('analyst');
	const [file, setFile] = useState(null);
	const [description, setDescription] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const items = inc.evidence || [];
	const send = async (e) => {
		e.preventDefault();
		const form = e.currentTarget;
		if (!file) return;
		setBusy(true);
		setError(null);
		try {
			await api.addEvidence(inc.id, file, description.trim());
			setFile(null);
			setDescription('');
			form.reset();
			onAdded();
		} catch (err) {
			setError(err);
		}
		setBusy(false);
	};
	return html`<section class="panel" aria-labelledby="evidence-h">
		<h2 id="evidence-h">Evidence</h2>
		${items.length === 0 ? html`<p class="muted">No files yet.</p>`
			: html`<ul class="evidence">${items.map((f) => html`<li key=${f.id}>
				<a href=${`/api/v1/incidents/${encodeURIComponent(inc.id)}/evidence/${encodeURIComponent(f.id)}`} download=${f.name}>${f.name}</a>
				<span class="muted"> — ${f.media_type}, ${fmtSize(f.size)}, ${fmtTime(f.uploaded_at)} by ${f.uploaded_by}</span>
				${f.description ? html`<p>${f.description}</p>` : ''}
				<p class="cell-sub hash" title="SHA-256 of the file as uploaded">SHA-256 <code>${f.sha256}</code></p>
			</li>`)}</ul>`}
		${mayAdd ? html`<form onSubmit=${send}>
			<div class="field">
				<label for="evidence-file">Add a file</label>
				<input id="evidence-file" type="file" accept=${EVIDENCE_TYPES}
					onChange=${(e) => setFile(e.currentTarget.files[0] || null)} />
				<p class="hint">Photographs, PDF, MP4, MP3 or text; at most 10 MiB. Stored encrypted.</p>
			</div>
			<div class="field">
				<label for="evidence-description">What it shows</label>
				<input id="evidence-description" type="text" maxlength="1000" value=${description}
					onInput=${(e) => setDescription(e.currentTarget.value)} />
			</div>
			<${ErrorBox} error=${error} />
			<p><button type="submit" class="btn" disabled=${busy || !file}>${busy ? 'Uploading…' : 'Upload'}</button></p>
		</form>` : ''}
	</section>`;
}

const ACTIONS = {
	'incident.evidence.add': 'Evidence added', 'incident.evidence.read': 'Evidence opened',
	'incident.report': 'Reported', 'incident.update': 'Changed', 'incident.triage': 'Triaged',
	'incident.investigate': 'Investigation started', 'incident.close': 'Closed', 'incident.reopen': 'Reopened',
	'incident.read': 'Read',
};

function Timeline({ items, transitions }) {
	// The reason of each move, matched to its audit record in order.
	const reasons = transitions.map((t) => t.reason);
	let n = 0;
	return html`<section class="panel" aria-labelledby="timeline-h">
		<h2 id="timeline-h">Timeline</h2>
		<ol class="timeline">${items.map((t, i) => {
			const moved = ['incident.triage', 'incident.investigate', 'incident.close', 'incident.reopen'].includes(t.action);
			const why = moved ? reasons[n++] : '';
			return html`<li key=${i}>
				<span class="cell-sub">${fmtTime(t.time)}</span>
				<span>${ACTIONS[t.action] || t.action} by ${t.actor}</span>
				${why ? html`<span class="muted"> — ${why}</span>` : ''}
			</li>`;
		})}</ol>
	</section>`;
}
