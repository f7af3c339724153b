// pages/incident-form.js — report an incident.  Anyone at a post may: a
// guard at the gate, a driver followed home, an analyst who saw a phishing
// wave.  Only what the first report needs is asked; analysts add the rest
// on the incident page.  TLP:RED needs named recipients and is set through
// the API (or by the security officer changing the incident).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, CLEARANCES, loadPosts, useLoad, ErrorBox, PageTitle } from '../ui.js';
import { CATEGORY_LABELS } from './dashboard.js';

const TYPES = [
	['terrorist_attack', 'Terrorist attack or bombing'], ['espionage', 'Espionage or intelligence breach'],
	['cyberattack', 'Cyberattack'], ['hostile_protest', 'Hostile protest or violent demonstration'],
	['kidnapping_or_assault', 'Kidnapping or assault'], ['sabotage', 'Sabotage'], ['crime', 'Crime'],
	['surveillance_detected', 'Surveillance detected'], ['other', 'Other'],
];
// The category a type usually belongs to, as a first guess.
const CATEGORY_OF = {
	terrorist_attack: 'terrorism', espionage: 'human_intelligence', cyberattack: 'technical_cyber',
	hostile_protest: 'political_violence', kidnapping_or_assault: 'crime', sabotage: 'technical_cyber',
	crime: 'crime', surveillance_detected: 'human_intelligence', other: 'crime',
};
const SEVERITIES = [
	['Extreme', 'Extreme — threat to life'], ['Severe', 'Severe — significant threat to life or property'],
	['Moderate', 'Moderate — possible threat'], ['Minor', 'Minor — little or no threat'], ['Unknown', 'Unknown'],
];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'];
const PLACES = [['premises', 'On the mission premises'], ['residence', "At a diplomat's residence"], ['elsewhere', 'Elsewhere']];

// "2026-11-25T14:05" in local time, for datetime-local, and back to UTC.
const localNow = () => {
	const d = new Date(Date.now() - new Date().getTimezoneOffset() * 60e3);
	return d.toISOString().slice(0, 16);
};
const toUtc = (local) => new Date(local).toISOString().replace(/\.\d+Z$/, 'Z');

export function IncidentFormPage({ user }) {
	const { value: posts } = useLoad(loadPosts);
	const postId = user.post_id || (posts && posts[0] ? posts[0].id : '');
	const { value: zones } = useLoad(() => (postId ? api.zones(postId).then((r) => r.items || []) : Promise.resolve([])), [postId]);
	const myLevel = Math.max(0, CLEARANCES.indexOf(user.clearance));
	const [v, setV] = useState({
		type: 'crime', category: 'crime', severity: 'Moderate', title: '', description: '', occurred: localNow(),
		place_kind: 'elsewhere', zone_id: '', place_name: '', classification: 'UNCLASSIFIED', tlp: 'CLEAR',
	});
	const [state, setState] = useState({ busy: false, error: null });
	const set = (k) => (e) => {
		const value = e.currentTarget.value;
		setV((old) => ({ ...old, [k]: value, ...(k === 'type' ? { category: CATEGORY_OF[value] } : {}) }));
	};
	const fieldErrors = state.error ? state.error.fieldErrors : {};
	const err = (k) => (fieldErrors[k] ? html`<p class="field-error" id=${`e-${k}`}>${fieldErrors[k]}</p>` : '');

	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		const body = {
			post_id: postId, type: v.type, category: v.category, severity: v.severity, title: v.title.trim(),
			occurred_at: toUtc(v.occurred), place_kind: v.place_kind, classification: v.classification, tlp: v.tlp,
		};
		if (v.description.trim()) body.description = v.description.trim();
		if (v.place_kind === 'premises' && v.zone_id) body.zone_id = v.zone_id;
		if (v.place_name.trim()) body.place_name = v.place_name.trim();
		try {
			const inc = await api.reportIncident(body);
			location.hash = `#/threats/${encodeURIComponent(inc.id)}`;
		} catch (error) {
			setState({ busy: false, error });
		}
	};

	const select = (k, label, options, extra = '') => html`<div class="field">
		<label for=${`f-${k}`}>${label}</label>
		<select id=${`f-${k}`} value=${v[k]} onChange=${set(k)} aria-describedby=${fieldErrors[k] ? `e-${k}` : undefined}>
			${options.map(([val, text]) => html`<option key=${val} value=${val}>${text}</option>`)}
		</select>${extra}${err(k)}
	</div>`;

	return html`<section class="page">
		<p class="back"><a href="#/threats">← Incidents</a></p>
		<${PageTitle} sub="Say what happened; the security officer and analysts take it from here.">Report an incident<//>
		<form class="panel person-form" onSubmit=${submit} novalidate>
			<div class="field">
				<label for="f-title">What happened, in one line <span class="req">(required)</span></label>
				<input id="f-title" type="text" maxlength="200" required value=${v.title} onInput=${set('title')} />${err('title')}
			</div>
			${select('type', 'Type', TYPES)}
			${select('category', 'Threat category', Object.entries(CATEGORY_LABELS))}
			${select('severity', 'Severity', SEVERITIES)}
			<div class="field">
				<label for="f-occurred">When it happened (your local time)</label>
				<input id="f-occurred" type="datetime-local" required value=${v.occurred} onInput=${set('occurred')} />${err('occurred_at')}
			</div>
			${select('place_kind', 'Where', PLACES)}
			${v.place_kind === 'premises' && zones && zones.length > 0
				? select('zone_id', 'Zone', [['', 'Not sure'], ...zones.map((z) => [z.id, z.name])]) : ''}
			<div class="field">
				<label for="f-place_name">Place</label>
				<input id="f-place_name" type="text" maxlength="200" value=${v.place_name} onInput=${set('place_name')}
					placeholder="e.g. Westgate Mall, Waiyaki Way" />${err('place_name')}
			</div>
			<div class="field">
				<label for="f-description">Details</label>
				<textarea id="f-description" rows="5" maxlength="8000" value=${v.description} onInput=${set('description')}></textarea>
				${err('description')}
			</div>
			${select('classification', 'Classification', CLEARANCES.slice(0, myLevel + 1).map((c) => [c, c]))}
			${select('tlp', 'Sharing (TLP)', TLPS.map((t) => [t, `TLP:${t}`]),
				html`<p class="hint">TLP:RED (named readers only) is set on the incident page or through the API.</p>`)}
			<${ErrorBox} error=${state.error} />
			<p><button type="submit" class="btn btn-primary" disabled=${state.busy || !v.title.trim()}>
				${state.busy ? 'Reporting…' : 'Report the incident'}</button></p>
		</form>
	</section>`;
}
