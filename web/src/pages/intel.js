// pages/intel.js — the intelligence picture: graded reports (list, one
// report, the form), the source registry with each source's track record,
// threat actors and named places.  The Admiralty grading is always shown
// as its two halves and in words ("B2 — usually reliable, probably true");
// the server decides who may see and change what, the pages only hide the
// buttons a role cannot use.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, CLEARANCES, fmtTime, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';

const PAGE = 50;
export const CATEGORIES = {
	political_violence: 'Political violence', terrorism: 'Terrorism', crime: 'Crime',
	human_intelligence: 'Human intelligence', technical_cyber: 'Technical and cyber',
};
const RELIABILITY = {
	A: 'completely reliable', B: 'usually reliable', C: 'fairly reliable', D: 'not usually reliable',
	E: 'unreliable', F: 'reliability cannot be judged',
};
const CREDIBILITY = {
	1: 'confirmed by other sources', 2: 'probably true', 3: 'possibly true', 4: 'doubtful',
	5: 'improbable', 6: 'truth cannot be judged',
};
const OUTCOMES = { unassessed: 'Unassessed', confirmed: 'Confirmed', refuted: 'Refuted' };
const SOURCE_KINDS = { human: 'Human', open_source: 'Open source', liaison: 'Liaison partner', technical: 'Technical' };
const ACTOR_KINDS = { group: 'Group', individual: 'Individual', state: 'State actor' };
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const WRITERS = ['security_officer', 'analyst'];
const canWrite = (user) => (user.roles || []).some((r) => WRITERS.includes(r));
const isOfficer = (user) => (user.roles || []).includes('security_officer');
const enc = encodeURIComponent;

export const gradingWords = (r, c) => `${r}${c} — ${RELIABILITY[r] || '?'}, ${CREDIBILITY[c] || '?'}`;

function Grading({ r, c }) {
	return html`<span class=${`badge grading grading-${r}`} title=${gradingWords(r, c)}>
		${r}${c}<span class="visually-hidden">: ${gradingWords(r, c)}</span>
	</span>`;
}

function Outcome({ outcome }) {
	return html`<span class=${`badge outcome-${outcome}`}>${OUTCOMES[outcome] || outcome}</span>`;
}

const COMPASS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];
export const relative = (p) => (p.distance_m === null ? '' :
	`${(p.distance_m / 1000).toFixed(1)} km ${COMPASS[Math.round(p.bearing_deg / 45) % 8]} (${Math.round(p.bearing_deg)}°)`);

// The sub-navigation of the intelligence pages.
function Tabs({ current, user }) {
	const tabs = [['intel', 'Reports'], ['sources', 'Sources', canWrite(user)], ['intel/actors', 'Threat actors'],
		['intel/places', 'Named places']].filter((t) => t[2] !== false);
	return html`<nav class="tabs" aria-label="Intelligence">
		${tabs.map(([path, label]) => html`<a key=${path} href=${`#/${path}`}
			aria-current=${current === path ? 'page' : undefined}>${label}</a>`)}
	</nav>`;
}

function Back({ href, label }) {
	return html`<p class="back"><a href=${href}>← ${label}</a></p>`;
}

function Failed({ error, what, back }) {
	return html`<section class="page">
		<${Back} href=${back[0]} label=${back[1]} />
		<h1 id="page-title" tabindex="-1">${error.status === 404 ? `No such ${what}` : `This ${what} could not be shown`}</h1>
		<${ErrorBox} error=${error} />
	</section>`;
}

// ---- reports ------------------------------------------------------------------

function ReportTable({ items, stale }) {
	return html`<table class="people-table intel-table">
		<caption class="visually-hidden">Intelligence reports</caption>
		<thead><tr>
			<th scope="col">Report</th><th scope="col">Grading</th><th scope="col">Reported</th>
			<th scope="col">Valid</th><th scope="col">Outcome</th><th scope="col">TLP</th>
		</tr></thead>
		<tbody class=${stale ? 'stale' : ''}>
			${items.map((i) => html`<tr key=${i.id} class=${i.status === 'withdrawn' ? 'withdrawn' : ''}>
				<td class="cell-name">
					<a class="row-link" href=${`#/intel/reports/${enc(i.id)}`}>${i.title}</a>
					<span class="cell-sub">${i.source_name} · ${CATEGORIES[i.category] || i.category}${i.status === 'withdrawn' ? ' · withdrawn' : ''}</span>
				</td>
				<td data-label="Grading"><${Grading} r=${i.reliability} c=${i.credibility} /></td>
				<td data-label="Reported">${fmtTime(i.reported_at)}</td>
				<td data-label="Valid">${i.open ? html`<span class="badge status-valid">Open</span>`
					: html`<span class="muted">until ${i.valid_until.slice(0, 10)}</span>`}</td>
				<td data-label="Outcome"><${Outcome} outcome=${i.outcome} /></td>
				<td data-label="TLP"><span class="tag">TLP:${i.tlp}</span></td>
			</tr>`)}
		</tbody>
	</table>`;
}

export function IntelReportsPage({ params, user }) {
	const [category, setCategory] = useState(params.get('category') || '');
	const [outcome, setOutcome] = useState(params.get('outcome') || '');
	const [open, setOpen] = useState(params.get('open') === 'true');
	const [list, setList] = useState({ items: [], next: null, loading: true, error: null });
	const [more, setMore] = useState({ loading: false, error: null });
	const filters = { category, outcome, open: open ? 'true' : '' };

	useEffect(() => {
		history.replaceState(null, '', `#/intel${query(filters)}`);
		const ctl = new AbortController();
		setList((l) => ({ ...l, loading: true, error: null }));
		api.intelReports({ ...filters, limit: PAGE }, ctl.signal).then(
			(r) => setList({ items: r.items || [], next: r.next_cursor || null, loading: false, error: null }),
			(err) => err.name !== 'AbortError' && setList({ items: [], next: null, loading: false, error: err }),
		);
		return () => ctl.abort();
	}, [category, outcome, open]);

	const loadMore = async () => {
		setMore({ loading: true, error: null });
		try {
			const r = await api.intelReports({ ...filters, limit: PAGE, cursor: list.next });
			setList((l) => ({ ...l, items: l.items.concat(r.items || []), next: r.next_cursor || null }));
			setMore({ loading: false, error: null });
		} catch (err) {
			setMore({ loading: false, error: err });
		}
	};

	return html`<section class="page">
		<${PageTitle} sub="Graded reports, newest first. Only reports you may read are listed.">Intelligence<//>
		<${Tabs} current="intel" user=${user} />
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field">
				<label for="intel-category">Category</label>
				<select id="intel-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
					<option value="">All</option>
					${Object.entries(CATEGORIES).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
				</select>
			</div>
			<div class="field">
				<label for="intel-outcome">Outcome</label>
				<select id="intel-outcome" value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
					<option value="">All</option>
					${Object.entries(OUTCOMES).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
				</select>
			</div>
			<div class="field field-check">
				<input id="intel-open" type="checkbox" checked=${open} onChange=${(e) => setOpen(e.currentTarget.checked)} />
				<label for="intel-open">Open intelligence only (valid now)</label>
			</div>
			${canWrite(user) ? html`<a class="btn btn-primary" href="#/intel/new">New report</a>` : ''}
		</form>
		<p class="result-count" role="status" aria-live="polite">
			${list.loading ? 'Loading…' : list.error ? '' : `${list.items.length}${list.next ? '+' : ''} reports.`}
		</p>
		<${ErrorBox} error=${list.error} />
		${!list.loading && !list.error && list.items.length === 0 ? html`<div class="panel empty"><p>No reports match.</p></div>` : ''}
		${list.items.length > 0 ? html`<${ReportTable} items=${list.items} stale=${list.loading} />` : ''}
		${list.loading && list.items.length === 0 ? html`<${Loading} what="Loading reports" />` : ''}
		${list.next && !list.loading ? html`<div class="load-more">
			<${ErrorBox} error=${more.error} />
			<button type="button" class="btn" onClick=${loadMore} disabled=${more.loading}>
				${more.loading ? 'Loading…' : 'Load more'}
			</button>
		</div>` : ''}
	</section>`;
}

function Links({ title, items, base }) {
	return html`<div><dt>${title}</dt><dd>${items.length === 0 ? html`<span class="muted">None</span>`
		: items.map((l, i) => html`${i ? ', ' : ''}${l.name ? html`<a href=${`${base}${enc(l.id)}`}>${l.name}</a>`
			: html`<span class="muted">a record you may not see</span>`}`)}</dd></div>`;
}

const ACTIONS = {
	'intel.report.create': 'Recorded', 'intel.report.update': 'Changed', 'intel.report.assess': 'Assessed',
	'intel.report.withdraw': 'Withdrawn', 'intel.report.reinstate': 'Reinstated', 'intel.report.read': 'Read',
};

export function IntelReportPage({ id, user }) {
	const [state, setState] = useState({ r: null, error: null });
	const [reload, setReload] = useState(0);
	useEffect(() => {
		const ctl = new AbortController();
		api.intelReport(id, ctl.signal).then((r) => setState({ r, error: null }),
			(error) => error.name !== 'AbortError' && setState({ r: null, error }));
		return () => ctl.abort();
	}, [id, reload]);
	const { r, error } = state;
	if (error) return html`<${Failed} error=${error} what="report" back=${['#/intel', 'Intelligence']} />`;
	if (!r) return html`<section class="page"><${Loading} what="Loading the report" /></section>`;
	const rows = [
		['Threat category', CATEGORIES[r.category] || r.category],
		['Reported', fmtTime(r.reported_at)],
		['Valid', `${fmtTime(r.valid_from)} to ${fmtTime(r.valid_until)}${r.open ? ' (open)' : ''}`],
		['Classification', r.classification],
		['TLP', `TLP:${r.tlp}${r.tlp === 'RED' ? ` — ${r.recipients.length} named recipients` : ''}`],
		['Status', r.status === 'withdrawn' ? 'Withdrawn: no longer counts' : 'Active'],
	];
	return html`<article class="page">
		<${Back} href="#/intel" label="Intelligence" />
		<${PageTitle} sub=${html`<${Grading} r=${r.reliability} c=${r.credibility} /> ${r.grading} · <${Outcome} outcome=${r.outcome} />`}>${r.title}<//>
		<div class="person-grid">
			<div>
				<section class="panel" aria-labelledby="report-h">
					<h2 id="report-h">The report</h2>
					${r.summary ? html`<p><strong>${r.summary}</strong></p>` : ''}
					<p class="incident-text">${r.body || html`<span class="muted">No further text.</span>`}</p>
					<dl class="details">
						${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}
						<${Links} title="Threat actors" items=${r.actors} base="#/intel/actors/" />
						<${Links} title="Named places" items=${r.places} base="#/intel/places/" />
						<${Links} title="Incidents" items=${r.incidents} base="#/threats/" />
					</dl>
				</section>
				<section class="panel" aria-labelledby="grading-h">
					<h2 id="grading-h">Grading (Admiralty)</h2>
					<dl class="details">
						<div><dt>Source reliability</dt><dd><strong>${r.reliability}</strong> — ${RELIABILITY[r.reliability]}</dd></div>
						<div><dt>Information credibility</dt><dd><strong>${r.credibility}</strong> — ${CREDIBILITY[r.credibility]}</dd></div>
						<div><dt>Source</dt><dd>${canWrite(user) ? html`<a href=${`#/sources/${enc(r.source.id)}`}>${r.source.name}</a>` : r.source.name}
							<span class="muted"> — ${SOURCE_KINDS[r.source.kind] || r.source.kind}; the analyst judges it ${r.source.reliability} (${RELIABILITY[r.source.reliability]})</span></dd></div>
					</dl>
					<p class="hint">The two halves are judged independently: how far the source has proved reliable, and how far this piece of information is borne out.</p>
				</section>
			</div>
			<div class="person-side">
				${canWrite(user) ? html`<${Assess} r=${r} onDone=${() => setReload((n) => n + 1)} />` : ''}
				<section class="panel" aria-labelledby="timeline-h">
					<h2 id="timeline-h">Timeline</h2>
					<ol class="timeline">${r.timeline.map((t, i) => html`<li key=${i}>
						<span class="cell-sub">${fmtTime(t.time)}</span>
						<span>${ACTIONS[t.action] || t.action} by ${t.actor}</span>
					</li>`)}</ol>
				</section>
			</div>
		</div>
	</article>`;
}

function Assess({ r, onDone }) {
	const [outcome, setOutcome] = useState(r.outcome);
	const [note, setNote] = useState(r.outcome_note || '');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const run = async (fn) => {
		setBusy(true);
		setError(null);
		try {
			await fn();
			onDone();
		} catch (err) {
			setError(err);
		}
		setBusy(false);
	};
	return html`<section class="panel" aria-labelledby="assess-h">
		<h2 id="assess-h">Assessment</h2>
		<form onSubmit=${(e) => { e.preventDefault(); run(() => api.assessIntelReport(r.id, outcome, note.trim())); }}>
			<div class="field">
				<label for="assess-outcome">Outcome</label>
				<select id="assess-outcome" value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
					${Object.entries(OUTCOMES).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
				</select>
				<p class="hint">Feeds the source's track record.</p>
			</div>
			<div class="field">
				<label for="assess-note">How it was confirmed or refuted</label>
				<textarea id="assess-note" rows="3" maxlength="2000" value=${note}
					onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
			</div>
			<${ErrorBox} error=${error} />
			<p>
				<button type="submit" class="btn" disabled=${busy}>Record the outcome</button>${' '}
				<a class="btn btn-ghost" href=${`#/intel/reports/${enc(r.id)}/edit`}>Edit</a>${' '}
				<button type="button" class="btn btn-ghost" disabled=${busy}
					onClick=${() => run(() => api.setIntelReportStatus(r.id, r.status === 'active' ? 'withdrawn' : 'active'))}>
					${r.status === 'active' ? 'Withdraw' : 'Reinstate'}
				</button>
			</p>
		</form>
	</section>`;
}

// ---- the report form ----------------------------------------------------------

const local = (iso) => (iso ? iso.slice(0, 16) : '');
const utc = (v) => (v ? `${v.length === 16 ? `${v}:00` : v}Z` : '');
const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 16);

export function IntelReportFormPage({ id, user }) {
	const editing = id !== undefined;
	const refs = useLoad(() => Promise.all([
		loadOrEmpty(api.intelSources()), loadOrEmpty(api.intelActors()), loadOrEmpty(api.intelPlaces()),
		loadOrEmpty(api.incidents({ limit: 100 })), editing ? api.intelReport(id) : Promise.resolve(null),
	]), [id]);
	const [v, setV] = useState(null);
	const [errors, setErrors] = useState({});
	const [formError, setFormError] = useState(null);
	const [busy, setBusy] = useState(false);

	useEffect(() => {
		if (!refs.value) return;
		const r = refs.value[4];
		setV(r ? {
			source_id: r.source_id, category: r.category, reliability: r.reliability, credibility: String(r.credibility),
			title: r.title, summary: r.summary || '', body: r.body || '', classification: r.classification, tlp: r.tlp,
			recipients: r.recipients.join(', '), valid_from: local(r.valid_from), valid_until: local(r.valid_until),
			actor_ids: r.actor_ids, place_ids: r.place_ids, incident_ids: r.incident_ids,
		} : {
			source_id: '', category: '', reliability: '', credibility: '', title: '', summary: '', body: '',
			classification: 'SBU', tlp: 'AMBER', recipients: '', valid_from: inDays(0), valid_until: inDays(30),
			actor_ids: [], place_ids: [], incident_ids: [],
		});
	}, [refs.value]);

	if (!canWrite(user)) return html`<section class="page"><h1 id="page-title" tabindex="-1">Not for your role</h1>
		<p>Analysts and the security officer record intelligence.</p></section>`;
	if (refs.error) return html`<${Failed} error=${refs.error} what="report" back=${['#/intel', 'Intelligence']} />`;
	if (!refs.value || !v) return html`<section class="page"><${Loading} what="Loading the form" /></section>`;
	const [sources, actors, places, incidents, record] = refs.value;
	const set = (k, x) => setV((o) => ({ ...o, [k]: x }));
	const toggle = (k, x) => setV((o) => ({ ...o, [k]: o[k].includes(x) ? o[k].filter((y) => y !== x) : [...o[k], x] }));

	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErrors({});
		setFormError(null);
		const body = {
			source_id: v.source_id || undefined, category: v.category || undefined,
			reliability: v.reliability || undefined, credibility: v.credibility ? Number(v.credibility) : undefined,
			title: v.title, summary: v.summary.trim() || null, body: v.body.trim() || null,
			classification: v.classification, tlp: v.tlp,
			recipients: v.tlp === 'RED' ? v.recipients.split(/[\s,]+/).filter(Boolean) : [],
			valid_from: utc(v.valid_from), valid_until: utc(v.valid_until),
			actor_ids: v.actor_ids, place_ids: v.place_ids, incident_ids: v.incident_ids,
		};
		try {
			const r = editing ? await api.updateIntelReport(id, record.version, body)
				: await api.createIntelReport({ post_id: user.post_id, ...body });
			location.hash = `#/intel/reports/${enc(r.id)}`;
		} catch (err) {
			setErrors(err.fieldErrors || {});
			setFormError(err);
		}
		setBusy(false);
	};

	const field = (name, label, control, hint) => html`<div class=${`field${errors[name] ? ' has-error' : ''}`}>
		<label for=${`f-${name}`}>${label}</label>
		${control(`f-${name}`)}
		${hint ? html`<p class="hint">${hint}</p>` : ''}
		${errors[name] ? html`<p class="field-error">${errors[name]}</p>` : ''}
	</div>`;
	const select = (name, label, options, hint) => field(name, label, (fid) => html`<select id=${fid} value=${v[name]}
		onChange=${(e) => set(name, e.currentTarget.value)}>
		<option value="">Choose…</option>
		${options.map(([k, l]) => html`<option key=${k} value=${k}>${l}</option>`)}
	</select>`, hint);
	const checks = (name, label, options) => html`<fieldset class="checks">
		<legend>${label}</legend>
		${options.length === 0 ? html`<p class="muted">None recorded.</p>` : options.map(([k, l]) => html`<div class="field-check" key=${k}>
			<input id=${`f-${name}-${k}`} type="checkbox" checked=${v[name].includes(k)} onChange=${() => toggle(name, k)} />
			<label for=${`f-${name}-${k}`}>${l}</label>
		</div>`)}
		${errors[name] ? html`<p class="field-error">${errors[name]}</p>` : ''}
	</fieldset>`;

	return html`<section class="page">
		<${Back} href=${editing ? `#/intel/reports/${enc(id)}` : '#/intel'} label=${editing ? record.title : 'Intelligence'} />
		<${PageTitle} sub="Grade the source and the information separately.">${editing ? 'Edit report' : 'New intelligence report'}<//>
		<${ErrorBox} error=${formError} />
		<form class="person-form" onSubmit=${submit} noValidate>
			<fieldset>
				<legend>What was reported</legend>
				<div class="form-grid">
					${field('title', 'Title', (fid) => html`<input id=${fid} type="text" maxlength="200" value=${v.title}
						onInput=${(e) => set('title', e.currentTarget.value)} />`)}
					${select('category', 'Threat category', Object.entries(CATEGORIES))}
					${select('source_id', 'Source', sources.map((s) => [s.id, `${s.name} (${SOURCE_KINDS[s.kind] || s.kind}, judged ${s.reliability})`]))}
				</div>
				${field('summary', 'Summary', (fid) => html`<textarea id=${fid} rows="2" value=${v.summary}
					onInput=${(e) => set('summary', e.currentTarget.value)}></textarea>`)}
				${field('body', 'Text', (fid) => html`<textarea id=${fid} rows="6" value=${v.body}
					onInput=${(e) => set('body', e.currentTarget.value)}></textarea>`)}
			</fieldset>
			<fieldset>
				<legend>Grading (Admiralty)</legend>
				<div class="form-grid">
					${select('reliability', 'Reliability of the source', Object.entries(RELIABILITY).map(([k, l]) => [k, `${k} — ${l}`]),
						'How far this source has proved reliable.')}
					${select('credibility', 'Credibility of the information', Object.entries(CREDIBILITY).map(([k, l]) => [k, `${k} — ${l}`]),
						'How far this information is borne out, whoever said it.')}
				</div>
				${v.reliability && v.credibility ? html`<p class="grading-preview" role="status">
					<${Grading} r=${v.reliability} c=${v.credibility} /> ${gradingWords(v.reliability, v.credibility)}</p>` : ''}
			</fieldset>
			<fieldset>
				<legend>Handling and validity</legend>
				<div class="form-grid">
					${select('classification', 'Classification', CLEARANCES.map((c) => [c, c]))}
					${select('tlp', 'TLP', TLPS.map((t) => [t, `TLP:${t}`]))}
					${v.tlp === 'RED' ? field('recipients', 'Named recipients (user ids)', (fid) => html`<input id=${fid} type="text"
						value=${v.recipients} onInput=${(e) => set('recipients', e.currentTarget.value)} />`,
						'TLP:RED: only these users (and you) may read it.') : ''}
					${field('valid_from', 'Valid from (UTC)', (fid) => html`<input id=${fid} type="datetime-local" value=${v.valid_from}
						onInput=${(e) => set('valid_from', e.currentTarget.value)} />`)}
					${field('valid_until', 'Valid until (UTC)', (fid) => html`<input id=${fid} type="datetime-local" value=${v.valid_until}
						onInput=${(e) => set('valid_until', e.currentTarget.value)} />`)}
				</div>
			</fieldset>
			<fieldset>
				<legend>Links</legend>
				<div class="form-grid">
					${checks('actor_ids', 'Threat actors', actors.map((a) => [a.id, a.name]))}
					${checks('place_ids', 'Named places', places.map((p) => [p.id, p.name]))}
				</div>
				${checks('incident_ids', 'Incidents', incidents.slice(0, 30).map((i) => [i.id, `${i.occurred_at.slice(0, 10)} ${i.title}`]))}
			</fieldset>
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : editing ? 'Save changes' : 'Record report'}</button>
				<a class="btn btn-ghost" href=${editing ? `#/intel/reports/${enc(id)}` : '#/intel'}>Cancel</a>
			</div>
		</form>
	</section>`;
}

const loadOrEmpty = (p) => p.then((r) => r.items || [], () => []);

// ---- sources --------------------------------------------------------------------

export function SourcesPage({ user }) {
	const [reload, setReload] = useState(0);
	const list = useLoad(() => api.intelSources(), [reload]);
	return html`<section class="page">
		<${PageTitle} sub="Each source's record beside the analyst's judgement of it.">Source registry<//>
		<${Tabs} current="sources" user=${user} />
		<${ErrorBox} error=${list.error} />
		${!list.value ? html`<${Loading} what="Loading sources" />` : html`<table class="people-table">
			<caption class="visually-hidden">Sources</caption>
			<thead><tr><th scope="col">Source</th><th scope="col">Judged</th><th scope="col">Record suggests</th>
				<th scope="col">Confirmed</th><th scope="col">Refuted</th><th scope="col">Unassessed</th></tr></thead>
			<tbody>${list.value.items.map((s) => html`<tr key=${s.id}>
				<td class="cell-name"><a class="row-link" href=${`#/sources/${enc(s.id)}`}>${s.name}</a>
					<span class="cell-sub">${SOURCE_KINDS[s.kind] || s.kind}${s.active ? '' : ' · inactive'}${s.has_identity ? ' · identity on file' : ''}</span></td>
				<td data-label="Judged"><span class=${`badge grading grading-${s.reliability}`} title=${RELIABILITY[s.reliability]}>${s.reliability}</span></td>
				<td data-label="Record suggests"><span class="badge badge-muted" title=${s.track.suggestion_reason}>${s.track.suggested_reliability}</span></td>
				<td data-label="Confirmed">${s.track.confirmed}</td>
				<td data-label="Refuted">${s.track.refuted}</td>
				<td data-label="Unassessed">${s.track.unassessed}</td>
			</tr>`)}</tbody>
		</table>`}
		<${NewSource} user=${user} onDone=${() => setReload((n) => n + 1)} />
	</section>`;
}

function NewSource({ user, onDone }) {
	const [v, setV] = useState({ name: '', kind: 'human', reliability: 'F', description: '' });
	const [error, setError] = useState(null);
	const save = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			await api.createIntelSource({ post_id: user.post_id, ...v, description: v.description || null });
			setV({ name: '', kind: 'human', reliability: 'F', description: '' });
			onDone();
		} catch (err) {
			setError(err);
		}
	};
	const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
	return html`<section class="panel" aria-labelledby="new-source-h">
		<h2 id="new-source-h">Register a source</h2>
		<form class="form-grid" onSubmit=${save}>
			<div class="field"><label for="ns-name">Code name</label><input id="ns-name" value=${v.name} onInput=${set('name')} /></div>
			<div class="field"><label for="ns-kind">Kind</label><select id="ns-kind" value=${v.kind} onChange=${set('kind')}>
				${Object.entries(SOURCE_KINDS).map(([k, l]) => html`<option key=${k} value=${k}>${l}</option>`)}</select></div>
			<div class="field"><label for="ns-rel">Your judgement</label><select id="ns-rel" value=${v.reliability} onChange=${set('reliability')}>
				${Object.entries(RELIABILITY).map(([k, l]) => html`<option key=${k} value=${k}>${k} — ${l}</option>`)}</select></div>
			<div class="field"><label for="ns-desc">Access and notes</label><input id="ns-desc" value=${v.description} onInput=${set('description')} /></div>
			<div class="form-actions"><button class="btn" type="submit">Register</button></div>
		</form>
		<${ErrorBox} error=${error} />
	</section>`;
}

export function SourcePage({ id, user }) {
	const s = useLoad(() => api.intelSource(id), [id]);
	const [identity, setIdentity] = useState({ value: null, error: null });
	if (s.error) return html`<${Failed} error=${s.error} what="source" back=${['#/sources', 'Sources']} />`;
	if (!s.value) return html`<section class="page"><${Loading} what="Loading the source" /></section>`;
	const src = s.value;
	const t = src.track;
	const reveal = () => api.intelSourceIdentity(id).then((r) => setIdentity({ value: r.identity, error: null }),
		(error) => setIdentity({ value: null, error }));
	return html`<article class="page">
		<${Back} href="#/sources" label="Sources" />
		<${PageTitle} sub=${`${SOURCE_KINDS[src.kind] || src.kind}${src.active ? '' : ' · inactive'}`}>${src.name}<//>
		<div class="person-grid">
			<div>
				<section class="panel" aria-labelledby="judge-h">
					<h2 id="judge-h">Reliability</h2>
					<div class="judgement">
						<div><span class=${`badge grading big grading-${src.reliability}`}>${src.reliability}</span>
							<p><strong>The analyst's judgement</strong><br />${src.reliability_meaning}</p></div>
						<div><span class="badge badge-muted big">${t.suggested_reliability}</span>
							<p><strong>What the record suggests</strong><br />${t.suggested_meaning}<br />
							<span class="muted">${t.suggestion_reason}</span></p></div>
					</div>
					<p class="hint">The suggestion is shown beside the judgement, never instead of it.</p>
					${src.description ? html`<p>${src.description}</p>` : ''}
				</section>
				<section class="panel" aria-labelledby="record-h">
					<h2 id="record-h">Track record</h2>
					<p>${t.total} reports you may read: ${t.confirmed} confirmed, ${t.refuted} refuted,
						${t.unassessed} unassessed${t.withdrawn ? `, ${t.withdrawn} withdrawn` : ''}.</p>
					<${Bar} parts=${[['confirmed', t.confirmed], ['refuted', t.refuted], ['unassessed', t.unassessed]]} />
					<table class="people-table">
						<caption>Grading history, newest first</caption>
						<thead><tr><th scope="col">Reported</th><th scope="col">Grading</th><th scope="col">Outcome</th></tr></thead>
						<tbody>${t.history.map((g) => html`<tr key=${g.report_id}>
							<td><a href=${`#/intel/reports/${enc(g.report_id)}`}>${fmtTime(g.reported_at)}</a></td>
							<td><${Grading} r=${g.reliability} c=${g.credibility} /></td>
							<td>${g.status === 'withdrawn' ? 'Withdrawn' : html`<${Outcome} outcome=${g.outcome} />`}</td>
						</tr>`)}</tbody>
					</table>
				</section>
			</div>
			<div class="person-side">
				<section class="panel" aria-labelledby="identity-h">
					<h2 id="identity-h">Identity</h2>
					${!src.has_identity ? html`<p class="muted">No identity on file.</p>`
						: identity.value ? html`<p class="identity">${identity.value}</p><p class="hint">This reveal is in the audit log.</p>`
						: isOfficer(user) ? html`<p>Sealed. <button type="button" class="btn btn-small" onClick=${reveal}>Reveal (audited)</button></p>`
						: html`<p class="muted">Sealed: only the security officer may see it.</p>`}
					<${ErrorBox} error=${identity.error} />
				</section>
			</div>
		</div>
	</article>`;
}

function Bar({ parts }) {
	const total = parts.reduce((n, [, v]) => n + v, 0) || 1;
	return html`<svg class="track-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img"
		aria-label=${parts.map(([k, v]) => `${v} ${k}`).join(', ')}>
		${parts.reduce((acc, [k, v]) => {
			acc.out.push(html`<rect key=${k} class=${`bar-${k}`} x=${acc.x} y="0" width=${(v / total) * 100} height="6" />`);
			acc.x += (v / total) * 100;
			return acc;
		}, { x: 0, out: [] }).out}
	</svg>`;
}

// ---- threat actors ----------------------------------------------------------------

export function ActorsPage({ params, user }) {
	const [q, setQ] = useState(params.get('q') || '');
	const list = useLoad(() => api.intelActors(q), [q]);
	return html`<section class="page">
		<${PageTitle} sub="Groups, individuals and state actors that threaten the post.">Threat actors<//>
		<${Tabs} current="intel/actors" user=${user} />
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field field-grow"><label for="actor-q">Search names and aliases</label>
				<input id="actor-q" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} /></div>
		</form>
		<${ErrorBox} error=${list.error} />
		${!list.value ? html`<${Loading} what="Loading actors" />` : html`<table class="people-table">
			<caption class="visually-hidden">Threat actors</caption>
			<thead><tr><th scope="col">Actor</th><th scope="col">Kind</th><th scope="col">Threat categories</th></tr></thead>
			<tbody>${list.value.items.map((a) => html`<tr key=${a.id}>
				<td class="cell-name"><a class="row-link" href=${`#/intel/actors/${enc(a.id)}`}>${a.name}</a>
					${a.aliases.length ? html`<span class="cell-sub">also ${a.aliases.join(', ')}</span>` : ''}</td>
				<td data-label="Kind">${ACTOR_KINDS[a.kind] || a.kind}</td>
				<td data-label="Categories">${a.categories.map((c) => html`<span class="tag" key=${c}>${CATEGORIES[c] || c}</span> `)}</td>
			</tr>`)}</tbody>
		</table>`}
		${canWrite(user) ? html`<${NewActor} user=${user} />` : ''}
	</section>`;
}

function NewActor({ user }) {
	const [v, setV] = useState({ name: '', kind: 'group', aliases: '', categories: [], description: '' });
	const [error, setError] = useState(null);
	const save = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			const a = await api.createIntelActor({
				post_id: user.post_id, name: v.name, kind: v.kind, description: v.description || null,
				aliases: v.aliases.split(',').map((s) => s.trim()).filter(Boolean), categories: v.categories,
			});
			location.hash = `#/intel/actors/${enc(a.id)}`;
		} catch (err) {
			setError(err);
		}
	};
	const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
	return html`<section class="panel" aria-labelledby="new-actor-h">
		<h2 id="new-actor-h">Record a threat actor</h2>
		<form onSubmit=${save}>
			<div class="form-grid">
				<div class="field"><label for="na-name">Name</label><input id="na-name" value=${v.name} onInput=${set('name')} /></div>
				<div class="field"><label for="na-kind">Kind</label><select id="na-kind" value=${v.kind} onChange=${set('kind')}>
					${Object.entries(ACTOR_KINDS).map(([k, l]) => html`<option key=${k} value=${k}>${l}</option>`)}</select></div>
				<div class="field"><label for="na-aliases">Aliases (comma-separated)</label><input id="na-aliases" value=${v.aliases} onInput=${set('aliases')} /></div>
			</div>
			<fieldset class="checks"><legend>Threat categories</legend>
				${Object.entries(CATEGORIES).map(([k, l]) => html`<div class="field-check" key=${k}>
					<input id=${`na-${k}`} type="checkbox" checked=${v.categories.includes(k)}
						onChange=${() => setV({ ...v, categories: v.categories.includes(k) ? v.categories.filter((c) => c !== k) : [...v.categories, k] })} />
					<label for=${`na-${k}`}>${l}</label></div>`)}
			</fieldset>
			<div class="field"><label for="na-desc">Description</label><textarea id="na-desc" rows="3" value=${v.description} onInput=${set('description')}></textarea></div>
			<div class="form-actions"><button class="btn" type="submit">Record</button></div>
		</form>
		<${ErrorBox} error=${error} />
	</section>`;
}

function Linked({ reports, incidents }) {
	return html`<section class="panel" aria-labelledby="linked-h">
		<h2 id="linked-h">Reports</h2>
		${reports.length ? html`<${ReportTable} items=${reports} />` : html`<p class="muted">No reports you may read.</p>`}
		<h2>Incidents</h2>
		${incidents.length ? html`<ul>${incidents.map((i) => html`<li key=${i.id}><a href=${`#/threats/${enc(i.id)}`}>${i.name}</a></li>`)}</ul>`
			: html`<p class="muted">No incidents you may read.</p>`}
	</section>`;
}

export function ActorPage({ id }) {
	const a = useLoad(() => api.intelActor(id), [id]);
	if (a.error) return html`<${Failed} error=${a.error} what="threat actor" back=${['#/intel/actors', 'Threat actors']} />`;
	if (!a.value) return html`<section class="page"><${Loading} what="Loading the actor" /></section>`;
	const x = a.value;
	return html`<article class="page">
		<${Back} href="#/intel/actors" label="Threat actors" />
		<${PageTitle} sub=${`${ACTOR_KINDS[x.kind] || x.kind}${x.aliases.length ? ` · also ${x.aliases.join(', ')}` : ''}`}>${x.name}<//>
		<section class="panel">
			<p>${x.description || html`<span class="muted">No description.</span>`}</p>
			<p>${x.categories.map((c) => html`<span class="tag" key=${c}>${CATEGORIES[c] || c}</span> `)}</p>
		</section>
		<${Linked} reports=${x.reports} incidents=${x.incidents} />
	</article>`;
}

// ---- named places -------------------------------------------------------------------

export function PlacesPage({ params, user }) {
	const [q, setQ] = useState(params.get('q') || '');
	const list = useLoad(() => api.intelPlaces(q), [q]);
	return html`<section class="page">
		<${PageTitle} sub="Places that matter to the post, with distance and bearing from it.">Named places<//>
		<${Tabs} current="intel/places" user=${user} />
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field field-grow"><label for="place-q">Search</label>
				<input id="place-q" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} /></div>
		</form>
		<${ErrorBox} error=${list.error} />
		${!list.value ? html`<${Loading} what="Loading places" />` : html`<div class="places">
			<${PlaceMap} places=${list.value.items} />
			<table class="people-table">
				<caption class="visually-hidden">Named places</caption>
				<thead><tr><th scope="col">Place</th><th scope="col">Area</th><th scope="col">From the post</th></tr></thead>
				<tbody>${list.value.items.map((p) => html`<tr key=${p.id}>
					<td class="cell-name"><a class="row-link" href=${`#/intel/places/${enc(p.id)}`}>${p.name}</a>
						${p.description ? html`<span class="cell-sub">${p.description}</span>` : ''}</td>
					<td data-label="Area">${areaWords(p)}</td>
					<td data-label="From the post">${relative(p)}</td>
				</tr>`)}</tbody>
			</table>
		</div>`}
		${canWrite(user) ? html`<${NewPlace} user=${user} />` : ''}
	</section>`;
}

const areaWords = (p) => (p.area === 'circle' ? `Circle, ${Math.round(p.radius_m)} m` :
	p.area === 'polygon' ? `Area, ${p.polygon.length} corners` : 'Point');

// A sketch of the places around the post (north up, the post at the
// centre, distance on a square-root scale so near and far both show).
function PlaceMap({ places }) {
	const far = Math.max(1, ...places.map((p) => p.distance_m || 0));
	const at = (p) => {
		const r = Math.sqrt((p.distance_m || 0) / far) * 90;
		const b = ((p.bearing_deg || 0) * Math.PI) / 180;
		return [100 + r * Math.sin(b), 100 - r * Math.cos(b)];
	};
	return html`<svg class="place-map" viewBox="0 0 250 200" role="img" aria-label="Sketch of the named places around the post, north up">
		<circle cx="100" cy="100" r="90" class="ring" />
		<circle cx="100" cy="100" r="45" class="ring" />
		<text x="100" y="8" class="compass">N</text>
		<rect x="96" y="96" width="8" height="8" class="post-mark" />
		${places.filter((p) => p.distance_m !== null).map((p) => {
			const [x, y] = at(p);
			return html`<g key=${p.id}><circle cx=${x} cy=${y} r="3" class="place-mark" />
				<text x=${x + 4} y=${y + 3} class="place-label">${p.name.length > 18 ? `${p.name.slice(0, 17)}…` : p.name}</text></g>`;
		})}
	</svg>`;
}

function NewPlace({ user }) {
	const [v, setV] = useState({ name: '', area: 'point', latitude: '', longitude: '', radius_m: '', description: '' });
	const [error, setError] = useState(null);
	const save = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			const p = await api.createIntelPlace({
				post_id: user.post_id, name: v.name, area: v.area, description: v.description || null,
				latitude: Number(v.latitude), longitude: Number(v.longitude),
				...(v.area === 'circle' ? { radius_m: Number(v.radius_m) } : {}),
			});
			location.hash = `#/intel/places/${enc(p.id)}`;
		} catch (err) {
			setError(err);
		}
	};
	const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
	return html`<section class="panel" aria-labelledby="new-place-h">
		<h2 id="new-place-h">Record a named place</h2>
		<form class="form-grid" onSubmit=${save}>
			<div class="field"><label for="np-name">Name</label><input id="np-name" value=${v.name} onInput=${set('name')} /></div>
			<div class="field"><label for="np-area">Area</label><select id="np-area" value=${v.area} onChange=${set('area')}>
				<option value="point">Point</option><option value="circle">Circle (centre and radius)</option></select></div>
			<div class="field"><label for="np-lat">Latitude</label><input id="np-lat" inputmode="decimal" value=${v.latitude} onInput=${set('latitude')} /></div>
			<div class="field"><label for="np-lon">Longitude</label><input id="np-lon" inputmode="decimal" value=${v.longitude} onInput=${set('longitude')} /></div>
			${v.area === 'circle' ? html`<div class="field"><label for="np-r">Radius (m)</label><input id="np-r" inputmode="numeric" value=${v.radius_m} onInput=${set('radius_m')} /></div>` : ''}
			<div class="field"><label for="np-desc">Description</label><input id="np-desc" value=${v.description} onInput=${set('description')} /></div>
			<div class="form-actions"><button class="btn" type="submit">Record</button></div>
		</form>
		<${ErrorBox} error=${error} />
	</section>`;
}

export function PlacePage({ id }) {
	const p = useLoad(() => api.intelPlace(id), [id]);
	if (p.error) return html`<${Failed} error=${p.error} what="place" back=${['#/intel/places', 'Named places']} />`;
	if (!p.value) return html`<section class="page"><${Loading} what="Loading the place" /></section>`;
	const x = p.value;
	return html`<article class="page">
		<${Back} href="#/intel/places" label="Named places" />
		<${PageTitle} sub=${`${areaWords(x)} · ${relative(x)} from the post`}>${x.name}<//>
		<section class="panel">
			${x.description ? html`<p>${x.description}</p>` : ''}
			<dl class="details">
				<div><dt>Centre</dt><dd>${x.latitude.toFixed(4)}, ${x.longitude.toFixed(4)}</dd></div>
				${x.area === 'polygon' ? html`<div><dt>Corners</dt><dd>${x.polygon.map((v) => `${v.latitude.toFixed(4)}, ${v.longitude.toFixed(4)}`).join(' · ')}</dd></div>` : ''}
			</dl>
		</section>
		<${Linked} reports=${x.reports} incidents=${x.incidents} />
	</article>`;
}
