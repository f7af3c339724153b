// pages/risks.js — the risk register: the heat map (SVG made by the
// server) and the list, highest residual score first, with flagged and
// overdue filters; one risk with its controls, scores and review; and the
// form that adds or changes a risk and its controls.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, fmtDate, fmtTime, ErrorBox, Loading, PageTitle } from '../ui.js';
import { CATEGORY_WORDS, usePost } from './ratings.js';

const LIKELIHOOD = ['', 'rare', 'unlikely', 'possible', 'likely', 'almost certain'];
const IMPACT = ['', 'negligible', 'minor', 'moderate', 'major', 'severe'];
const TREATMENTS = ['mitigate', 'accept', 'transfer', 'avoid'];
const words = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');
const canEdit = (user) => (user.roles || []).some((r) => r === 'security_officer' || r === 'analyst');

function Score({ s }) {
	return html`<span class=${`badge band band-${s.band}`}>${s.score} ${s.band}</span>
		<span class="cell-sub">L${s.likelihood} × I${s.impact}</span>`;
}

export function RisksPage({ user, params }) {
	const { post, error: postError } = usePost(user);
	const [flagged, setFlagged] = useState(params.get('flagged') === 'true');
	const [overdue, setOverdue] = useState(params.get('overdue') === 'true');
	const [category, setCategory] = useState(params.get('category') || '');
	const [state, setState] = useState({ reg: null, error: null });
	const filters = { flagged: flagged ? 'true' : '', overdue: overdue ? 'true' : '', category };
	useEffect(() => {
		if (!post) return undefined;
		history.replaceState(null, '', `#/risks${query(filters)}`);
		const ctl = new AbortController();
		api.risks(post.id, filters, ctl.signal).then(
			(reg) => setState({ reg, error: null }),
			(error) => error.name !== 'AbortError' && setState({ reg: null, error }),
		);
		return () => ctl.abort();
	}, [post && post.id, flagged, overdue, category]);
	const { reg, error } = state;
	const bands = reg ? reg.bands.map((b) => `${b.name} ${b.min}–${b.max}`).join(', ') : '';
	return html`<section class="page">
		<div class="page-head-row">
			<${PageTitle} sub=${post ? `${post.name}: scenarios against assets, likelihood × impact before and after controls.` : ''}>
				Risk register<//>
			${canEdit(user) ? html`<a class="btn btn-primary" href="#/risks/new">Add a risk</a>` : ''}
		</div>
		<${ErrorBox} error=${postError || error} />
		${post ? html`<section class="panel heatmap-panel" aria-labelledby="hm-h">
			<h2 id="hm-h">Heat map</h2>
			<img class="heatmap" src=${`/api/v1/posts/${encodeURIComponent(post.id)}/risks/heatmap.svg`}
				width="680" height="494"
				alt="Risk heat map: counts of risks per likelihood and impact cell, inherent (I) and residual (R)." />
			<p class="cell-sub">Bands: ${bands}. The map shows the whole register; the filters below narrow the list.</p>
		</section>` : ''}
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field field-check"><input id="f-flagged" type="checkbox" checked=${flagged}
				onChange=${(e) => setFlagged(e.currentTarget.checked)} /><label for="f-flagged">Flagged for review</label></div>
			<div class="field field-check"><input id="f-overdue" type="checkbox" checked=${overdue}
				onChange=${(e) => setOverdue(e.currentTarget.checked)} /><label for="f-overdue">Review overdue</label></div>
			<div class="field">
				<label for="f-category">Threat category</label>
				<select id="f-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
					<option value="">All</option>
					${Object.entries(CATEGORY_WORDS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
				</select>
			</div>
		</form>
		${reg ? html`<p class="result-count" role="status">${reg.items.length} risks · ${reg.flagged} flagged · ${reg.overdue} overdue.</p>
		<table class="people-table risks-table">
			<caption class="visually-hidden">Risks, highest residual score first</caption>
			<thead><tr><th scope="col">Risk</th><th scope="col">Inherent</th><th scope="col">Residual</th>
				<th scope="col">Treatment</th><th scope="col">Owner</th><th scope="col">Review</th></tr></thead>
			<tbody>${reg.items.map((r) => html`<tr key=${r.id}>
				<td class="cell-name">
					<a class="row-link" href=${`#/risks/${encodeURIComponent(r.id)}`}>${r.title}</a>
					<span class="cell-sub">${r.asset} · ${r.categories.map((c) => CATEGORY_WORDS[c]).join(', ')}</span>
					${r.flagged ? html`<span class="badge badge-warn">Flagged for review</span>` : ''}
				</td>
				<td data-label="Inherent"><${Score} s=${r.inherent} /></td>
				<td data-label="Residual"><${Score} s=${r.residual} /></td>
				<td data-label="Treatment">${words(r.treatment)}</td>
				<td data-label="Owner">${r.owner_name || ''}</td>
				<td data-label="Review">${fmtDate(r.review_on)}${r.overdue ? html` <span class="badge badge-warn">Overdue</span>` : ''}</td>
			</tr>`)}</tbody>
		</table>` : !error ? html`<${Loading} what="Loading the register" />` : ''}
	</section>`;
}

function Review({ risk, onDone }) {
	const [note, setNote] = useState('');
	const [next, setNext] = useState('');
	const [state, setState] = useState({ busy: false, error: null });
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		try {
			await api.reviewRisk(risk.id, next ? { note: note.trim(), next_review_on: next } : { note: note.trim() });
			setNote('');
			setState({ busy: false, error: null });
			onDone();
		} catch (error) {
			setState({ busy: false, error });
		}
	};
	return html`<section class="panel" aria-labelledby="review-h">
		<h2 id="review-h">Record a review</h2>
		<form onSubmit=${submit}>
			<div class="field"><label for="rv-note">What the review found <span class="req">(required)</span></label>
				<textarea id="rv-note" rows="3" required value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea></div>
			<div class="field"><label for="rv-next">Next review</label>
				<input id="rv-next" type="date" value=${next} onInput=${(e) => setNext(e.currentTarget.value)} />
				<p class="hint">Empty: in 90 days.</p></div>
			<${ErrorBox} error=${state.error} />
			<button type="submit" class="btn btn-primary" disabled=${state.busy}>Record the review</button>
		</form>
	</section>`;
}

export function RiskPage({ id, user }) {
	const [state, setState] = useState({ risk: null, error: null });
	const [reload, setReload] = useState(0);
	useEffect(() => {
		const ctl = new AbortController();
		api.risk(id, ctl.signal).then(
			(risk) => setState({ risk, error: null }),
			(error) => error.name !== 'AbortError' && setState({ risk: null, error }),
		);
		return () => ctl.abort();
	}, [id, reload]);
	const { risk, error } = state;
	if (error) {
		return html`<section class="page"><p class="back"><a href="#/risks">← Risk register</a></p>
			<h1 id="page-title" tabindex="-1">${error.status === 404 ? 'No such risk' : 'This risk could not be shown'}</h1>
			<${ErrorBox} error=${error} /></section>`;
	}
	if (!risk) return html`<section class="page"><${Loading} what="Loading the risk" /></section>`;
	const rows = [
		['Asset', risk.asset],
		['Threat categories', risk.categories.map((c) => CATEGORY_WORDS[c]).join(', ') || '—'],
		['Likelihood', `${risk.likelihood} ${risk.likelihood_label}`],
		['Impact', `${risk.impact} ${risk.impact_label}`],
		['Treatment', words(risk.treatment)],
		['Owner', risk.owner_name || '—'],
		['Next review', `${fmtDate(risk.review_on)}${risk.overdue ? ' (overdue)' : ''}`],
		['Last review', risk.reviewed_at ? `${fmtTime(risk.reviewed_at)} by ${risk.reviewed_by}` : 'Never'],
	];
	return html`<article class="page">
		<p class="back"><a href="#/risks">← Risk register</a></p>
		<div class="page-head-row">
			<${PageTitle} sub=${risk.asset}>${risk.title}<//>
			${canEdit(user) ? html`<a class="btn" href=${`#/risks/${encodeURIComponent(risk.id)}/edit`}>Edit</a>` : ''}
		</div>
		${risk.flagged ? html`<div class="alert alert-warn" role="status"><strong>Flagged for review:</strong> ${risk.flag_reason}</div>` : ''}
		<div class="person-grid">
			<div>
				<section class="panel" aria-labelledby="scores-h">
					<h2 id="scores-h">Scores</h2>
					<dl class="details">
						<div><dt>Inherent</dt><dd><${Score} s=${risk.inherent} /></dd></div>
						<div><dt>Residual (controls in place)</dt><dd><${Score} s=${risk.residual} /></dd></div>
						<div><dt>Target (with planned controls)</dt><dd><${Score} s=${risk.target} /></dd></div>
					</dl>
					${risk.description ? html`<p class="incident-text">${risk.description}</p>` : ''}
					<dl class="details">${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
				</section>
				<section class="panel" aria-labelledby="controls-h">
					<h2 id="controls-h">Controls</h2>
					${risk.controls.length === 0 ? html`<p class="muted">No controls.</p>` : html`<table class="list-table">
						<thead><tr><th scope="col">Control</th><th scope="col">Lowers likelihood</th>
							<th scope="col">Lowers impact</th><th scope="col">Status</th></tr></thead>
						<tbody>${risk.controls.map((c) => html`<tr key=${c.id}><td>${c.name}</td>
							<td>${c.likelihood_steps}</td><td>${c.impact_steps}</td>
							<td>${c.status === 'in_place' ? 'In place' : 'Planned'}</td></tr>`)}</tbody>
					</table>`}
				</section>
			</div>
			<div class="person-side">
				${canEdit(user) ? html`<${Review} risk=${risk} onDone=${() => setReload((n) => n + 1)} />` : ''}
			</div>
		</div>
	</article>`;
}

const blankControl = () => ({ name: '', likelihood_steps: 1, impact_steps: 0, status: 'planned' });

export function RiskFormPage({ id, user }) {
	const { post, error: postError } = usePost(user);
	const [form, setForm] = useState(null);
	const [people, setPeople] = useState([]);
	const [state, setState] = useState({ busy: false, error: null });
	useEffect(() => {
		if (!id) {
			setForm({ title: '', asset: '', description: '', categories: [], likelihood: 3, impact: 3,
				treatment: 'mitigate', owner_person_id: '', review_on: '', controls: [], version: 0 });
			return;
		}
		api.risk(id).then((r) => setForm({ ...r, description: r.description || '',
			controls: r.controls.map(({ name, likelihood_steps, impact_steps, status }) =>
				({ name, likelihood_steps, impact_steps, status })) }),
		(error) => setState({ busy: false, error }));
	}, [id]);
	useEffect(() => {
		if (post) api.people({ post_id: post.id, limit: 200 }).then((r) => setPeople(r.items || []), () => setPeople([]));
	}, [post && post.id]);
	if (!form) return html`<section class="page"><${ErrorBox} error=${postError || state.error} /><${Loading} what="Loading" /></section>`;
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
	const setControl = (i, k, v) => setForm({ ...form, controls: form.controls.map((c, j) => (j === i ? { ...c, [k]: v } : c)) });
	const toggle = (c) => setForm({ ...form, categories: form.categories.includes(c)
		? form.categories.filter((x) => x !== c) : [...form.categories, c] });
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		const body = {
			title: form.title.trim(), asset: form.asset.trim(), description: form.description.trim() || null,
			categories: form.categories, likelihood: Number(form.likelihood), impact: Number(form.impact),
			treatment: form.treatment, controls: form.controls.map((c) => ({ ...c,
				likelihood_steps: Number(c.likelihood_steps), impact_steps: Number(c.impact_steps) })),
		};
		if (form.owner_person_id) body.owner_person_id = form.owner_person_id;
		if (form.review_on) body.review_on = form.review_on;
		try {
			const r = id ? await api.updateRisk(id, form.version, body) : await api.createRisk({ ...body, post_id: post.id });
			location.hash = `#/risks/${encodeURIComponent(r.id)}`;
		} catch (error) {
			setState({ busy: false, error });
		}
	};
	const num = (fid, label, value, onChange, words) => html`<div class="field">
		<label for=${fid}>${label}</label>
		<select id=${fid} value=${value} onChange=${onChange}>
			${[1, 2, 3, 4, 5].map((n) => html`<option key=${n} value=${n}>${n} ${words[n]}</option>`)}
		</select></div>`;
	return html`<section class="page">
		<p class="back"><a href=${id ? `#/risks/${encodeURIComponent(id)}` : '#/risks'}>← Back</a></p>
		<${PageTitle}>${id ? 'Change the risk' : 'Add a risk'}<//>
		<form class="person-form" onSubmit=${submit}>
			<div class="form-grid">
				<div class="field"><label for="rk-title">Scenario <span class="req">(required)</span></label>
					<input id="rk-title" required value=${form.title} onInput=${set('title')} /></div>
				<div class="field"><label for="rk-asset">Asset <span class="req">(required)</span></label>
					<input id="rk-asset" required value=${form.asset} onInput=${set('asset')} /></div>
				${num('rk-l', 'Likelihood (before controls)', form.likelihood, set('likelihood'), LIKELIHOOD)}
				${num('rk-i', 'Impact (before controls)', form.impact, set('impact'), IMPACT)}
				<div class="field"><label for="rk-treat">Treatment</label>
					<select id="rk-treat" value=${form.treatment} onChange=${set('treatment')}>
						${TREATMENTS.map((t) => html`<option key=${t} value=${t}>${words(t)}</option>`)}</select></div>
				<div class="field"><label for="rk-owner">Owner</label>
					<select id="rk-owner" value=${form.owner_person_id || ''} onChange=${set('owner_person_id')}>
						<option value="">—</option>
						${people.map((p) => html`<option key=${p.id} value=${p.id}>${p.full_name}</option>`)}</select></div>
				<div class="field"><label for="rk-review">Next review</label>
					<input id="rk-review" type="date" value=${form.review_on} onInput=${set('review_on')} /></div>
			</div>
			<fieldset class="field"><legend>Threat categories</legend>
				${Object.entries(CATEGORY_WORDS).map(([k, v]) => html`<div class="field-check" key=${k}>
					<input type="checkbox" id=${`rk-c-${k}`} checked=${form.categories.includes(k)} onChange=${() => toggle(k)} />
					<label for=${`rk-c-${k}`}>${v}</label></div>`)}
			</fieldset>
			<div class="field"><label for="rk-desc">Description</label>
				<textarea id="rk-desc" rows="3" value=${form.description} onInput=${set('description')}></textarea></div>
			<fieldset class="field"><legend>Controls</legend>
				${form.controls.map((c, i) => html`<div class="form-grid control-row" key=${i}>
					<div class="field"><label for=${`ct-n-${i}`}>Control</label>
						<input id=${`ct-n-${i}`} required value=${c.name} onInput=${(e) => setControl(i, 'name', e.currentTarget.value)} /></div>
					<div class="field"><label for=${`ct-l-${i}`}>Lowers likelihood by</label>
						<input id=${`ct-l-${i}`} type="number" min="0" max="4" value=${c.likelihood_steps}
							onInput=${(e) => setControl(i, 'likelihood_steps', e.currentTarget.value)} /></div>
					<div class="field"><label for=${`ct-i-${i}`}>Lowers impact by</label>
						<input id=${`ct-i-${i}`} type="number" min="0" max="4" value=${c.impact_steps}
							onInput=${(e) => setControl(i, 'impact_steps', e.currentTarget.value)} /></div>
					<div class="field"><label for=${`ct-s-${i}`}>Status</label>
						<select id=${`ct-s-${i}`} value=${c.status} onChange=${(e) => setControl(i, 'status', e.currentTarget.value)}>
							<option value="planned">Planned</option><option value="in_place">In place</option></select></div>
					<button type="button" class="btn btn-small btn-ghost"
						onClick=${() => setForm({ ...form, controls: form.controls.filter((_, j) => j !== i) })}>Remove</button>
				</div>`)}
				<button type="button" class="btn btn-small" onClick=${() => setForm({ ...form, controls: [...form.controls, blankControl()] })}>
					Add a control</button>
			</fieldset>
			<${ErrorBox} error=${state.error} />
			<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${state.busy}>
				${id ? 'Save changes' : 'Add the risk'}</button></div>
		</form>
	</section>`;
}
