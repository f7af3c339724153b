// pages/person.js — one person: who they are, what their immunity means in
// practice, their details, household and training.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import {
	html, ARREST_WORDS, LEVEL_WORDS, canEditPeople, countryName, fmtDate, fmtTime,
	loadPosts, protects, useLoad, ErrorBox, Loading, TrainingStatus,
} from '../ui.js';

export function PersonPage({ id, user }) {
	const [state, setState] = useState({ person: null, error: null });
	const posts = useLoad(loadPosts).value || [];

	useEffect(() => {
		const ctl = new AbortController();
		setState({ person: null, error: null });
		api.person(id, ctl.signal).then(
			(person) => setState({ person, error: null }),
			(error) => error.name !== 'AbortError' && setState({ person: null, error }),
		);
		return () => ctl.abort();
	}, [id]);

	const { person, error } = state;
	if (error) {
		return html`<section class="page">
			<p class="back"><a href="#/people">← People</a></p>
			<h1 id="page-title" tabindex="-1">${error.status === 404 ? 'No such person' : 'This person could not be shown'}</h1>
			<${ErrorBox} error=${error} />
		</section>`;
	}
	if (!person) return html`<section class="page"><${Loading} what="Loading the profile" /></section>`;

	const post = posts.find((p) => String(p.id) === String(person.post_id));
	return html`<article class="page person">
		<p class="back"><a href="#/people">← People</a></p>
		<header class="person-head">
			<div>
				<h1 id="page-title" tabindex="-1">${person.full_name}</h1>
				<p class="page-sub">
					<span class="person-category">${person.category_label || person.category}</span>
					${post ? html` · <span>${post.name}</span>` : ''}
					${person.position ? html` · <span>${person.position}</span>` : ''}
				</p>
				<p class="tags">
					${person.nationality ? html`<span class="tag">${countryName(person.nationality)}</span>` : ''}
					${person.host_national ? html`<span class="tag tag-host">Host-country national</span>` : ''}
					${person.permanent_resident ? html`<span class="tag tag-host">Permanent resident</span>` : ''}
					${person.clearance ? html`<span class="tag">${person.clearance}</span>` : ''}
				</p>
			</div>
			${canEditPeople(user) ? html`<a class="btn" href=${`#/people/${encodeURIComponent(person.id)}/edit`}>Edit</a>` : ''}
		</header>

		<div class="person-grid">
			<${ImmunityPanel} imm=${person.immunity} />
			<div class="person-side">
				<${Details} person=${person} />
				<${Household} person=${person} />
				<${Training} items=${person.training || []} />
			</div>
		</div>
		<p class="meta muted">
			Record version ${person.version}${person.updated_at ? ` · updated ${fmtTime(person.updated_at)}` : ''}
		</p>
	</article>`;
}

// ---- immunity ----------------------------------------------------------------

function InForce({ imm }) {
	const today = new Date().toISOString().slice(0, 10);
	if (!protects(imm)) {
		return html`<p class="state state-none">No privileges or immunities apply to this person.</p>`;
	}
	if (imm.in_force) {
		return html`<p class="state state-ok"><strong>In force</strong>
			${imm.starts_on ? html` since ${fmtDate(imm.starts_on)}` : ''}
			${imm.ends_on ? html`, until ${fmtDate(imm.ends_on)}` : ''}</p>`;
	}
	if (imm.ends_on && imm.ends_on < today) {
		return html`<p class="state state-warn" role="note"><strong>No longer in force</strong>: functions ended on
			${' '}${fmtDate(imm.ends_on)}. Immunity for official acts continues; see the notes.</p>`;
	}
	if (!imm.starts_on) {
		return html`<p class="state state-warn" role="note"><strong>Not in force yet</strong>: the host ministry has not
			been notified of this person and no date of entry is recorded. Do not rely on this immunity until it is.</p>`;
	}
	return html`<p class="state state-warn" role="note"><strong>Not in force yet</strong>: it starts on
		${' '}${fmtDate(imm.starts_on)}.</p>`;
}

const GENDER_WORDS = { female: 'Female', male: 'Male', other: 'Other', F: 'Female', M: 'Male', X: 'Unspecified (X)' };
const yesNo = (v, yes, no) => (v === true ? yes : v === false ? no : '—');

function ImmunityPanel({ imm }) {
	if (!imm) {
		return html`<section class="panel immunity" aria-labelledby="imm-h">
			<h2 id="imm-h">Immunity</h2>
			<p>No immunity profile could be derived for this person.</p>
		</section>`;
	}
	const rows = [
		['Criminal jurisdiction', LEVEL_WORDS[imm.criminal] || imm.criminal, imm.criminal],
		['Civil jurisdiction', LEVEL_WORDS[imm.civil] || imm.civil, imm.civil],
		['Administrative jurisdiction', LEVEL_WORDS[imm.administrative] || imm.administrative, imm.administrative],
		['Residence', yesNo(imm.residence_inviolable, 'Inviolable', 'Not inviolable'), imm.residence_inviolable ? 'full' : 'none'],
		['Tax on pay', yesNo(imm.tax_exempt_pay, 'Exempt', 'Not exempt'), imm.tax_exempt_pay ? 'full' : 'none'],
	];
	return html`<section class="panel immunity" aria-labelledby="imm-h">
		<div class="panel-head">
			<h2 id="imm-h">Immunity</h2>
			${imm.convention && imm.convention !== 'none' ? html`<span class="tag">${imm.convention}</span>` : ''}
		</div>
		<${InForce} imm=${imm} />
		${imm.summary ? html`<p class="imm-summary">${imm.summary}</p>` : ''}
		<p class=${`imm-arrest arrest-${imm.arrest}`}>
			<span class="imm-arrest-label">Arrest and detention</span>
			<strong>${ARREST_WORDS[imm.arrest] || imm.arrest || '—'}</strong>
		</p>
		<dl class="imm-grid">
			${rows.map(([k, v, level]) => html`<div key=${k} class=${`imm-row lvl-${level}`}><dt>${k}</dt><dd>${v || '—'}</dd></div>`)}
		</dl>
		${imm.articles && imm.articles.length ? html`<div class="imm-block">
			<h3>Articles that apply</h3>
			<ul class="chips">${imm.articles.map((a) => html`<li key=${a}>${a}</li>`)}</ul>
		</div>` : ''}
		<div class="imm-block imm-dates">
			<div>
				<h3>Starts</h3>
				<p>${imm.starts_on ? html`<strong>${fmtDate(imm.starts_on)}</strong> ` : ''}${imm.starts || (imm.starts_on ? '' : '—')}</p>
			</div>
			<div>
				<h3>Ends</h3>
				<p>${imm.ends_on ? html`<strong>${fmtDate(imm.ends_on)}</strong> ` : ''}${imm.ends || (imm.ends_on ? '' : '—')}</p>
			</div>
		</div>
		${imm.waiver ? html`<div class="imm-block"><h3>Waiver</h3><p>${imm.waiver}</p></div>` : ''}
		${!imm.waiver && imm.waivable === false && protects(imm) ? html`<div class="imm-block"><h3>Waiver</h3><p>No waiver rule applies.</p></div>` : ''}
		${imm.notes && imm.notes.length ? html`<div class="imm-block"><h3>Notes</h3>
			<ul class="notes">${imm.notes.map((n, i) => html`<li key=${i}>${n}</li>`)}</ul></div>` : ''}
	</section>`;
}

// ---- details, household, training ------------------------------------------------

function Details({ person: p }) {
	const rows = [
		['Given name', p.given_name],
		['Family name', p.family_name],
		['Nationality', p.nationality ? `${countryName(p.nationality)} (${p.nationality})` : ''],
		['Host-country national', yesNo(p.host_national, 'Yes', 'No')],
		['Permanent resident', yesNo(p.permanent_resident, 'Yes', 'No')],
		['Host ministry notified', p.notified_on ? fmtDate(p.notified_on) : 'Not notified'],
		['Arrived', fmtDate(p.arrived_on)],
		['Functions end', fmtDate(p.functions_end_on)],
		['Date of birth', fmtDate(p.date_of_birth)],
		['Gender', GENDER_WORDS[p.gender] || p.gender],
		['Position', p.position],
		['Clearance', p.clearance],
		['E-mail', p.email ? html`<a href=${`mailto:${p.email}`}>${p.email}</a>` : ''],
		['Phone', p.phone ? html`<a href=${`tel:${p.phone}`}>${p.phone}</a>` : ''],
	];
	return html`<section class="panel" aria-labelledby="details-h">
		<h2 id="details-h">Details</h2>
		<dl class="details">
			${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v || html`<span class="muted">—</span>`}</dd></div>`)}
		</dl>
	</section>`;
}

function Principal({ id, known }) {
	const { value } = useLoad(() => (known ? Promise.resolve(known) : api.person(id)), [id]);
	return html`<a href=${`#/people/${encodeURIComponent(id)}`}>${value ? value.full_name : 'the principal'}</a>`;
}

// The server lists the whole household: the principal ("principal") and
// every member, the person shown among them.
function Household({ person: p }) {
	const all = p.household || [];
	const principal = p.household_of ? all.find((m) => String(m.id) === String(p.household_of)) : null;
	const others = all.filter((m) => String(m.id) !== String(p.id) && m !== principal);
	if (!p.household_of && others.length === 0) return null;
	return html`<section class="panel" aria-labelledby="household-h">
		<h2 id="household-h">Household</h2>
		${p.household_of ? html`<p>Member of the household of <${Principal} id=${p.household_of} known=${principal} />${
			p.relationship ? ` (${p.relationship})` : ''}.</p>` : ''}
		${others.length ? html`<ul class="household">
			${others.map((m) => html`<li key=${m.id}>
				<a href=${`#/people/${encodeURIComponent(m.id)}`}>${m.full_name}</a>
				<span class="muted"> — ${[m.relationship, m.category_label || m.category].filter(Boolean).join(', ')}</span>
			</li>`)}
		</ul>` : ''}
	</section>`;
}

function Training({ items }) {
	return html`<section class="panel" aria-labelledby="training-h">
		<h2 id="training-h">Training</h2>
		${items.length === 0 ? html`<p class="muted">No training recorded.</p>` : html`<table class="training">
			<thead><tr><th scope="col">Course</th><th scope="col">Completed</th><th scope="col">Expires</th><th scope="col">Status</th></tr></thead>
			<tbody>
				${items.map((t) => html`<tr key=${t.id}>
					<td>${t.course}</td>
					<td data-label="Completed">${fmtDate(t.completed_on) || '—'}</td>
					<td data-label="Expires">${fmtDate(t.expires_on) || 'Does not expire'}</td>
					<td data-label="Status"><${TrainingStatus} status=${t.status} /></td>
				</tr>`)}
			</tbody>
		</table>`}
	</section>`;
}
