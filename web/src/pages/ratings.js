// pages/ratings.js — the post's threat ratings, one card per category:
// the official rating with its rationale, the computed one with the
// "because" explanation and its largest contributors, the disagreement
// flag, the risks a rise flagged, and the history (official changes and a
// strip of daily computed levels).  The security officer sets the
// official rating here, with a rationale.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtDate, fmtTime, loadPosts, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';

export const CATEGORY_WORDS = {
	political_violence: 'Political violence', terrorism: 'Terrorism', crime: 'Crime',
	human_intelligence: 'Human intelligence', technical_cyber: 'Technical and cyber',
};
const LEVELS = ['Low', 'Medium', 'High', 'Critical'];

export function LevelBadge({ level }) {
	return html`<span class=${`badge level level-${String(level).toLowerCase()}`}>${level}</span>`;
}

// The post to show: the user's own, or (HQ) the first they see.
export function usePost(user) {
	const { value: posts, error } = useLoad(loadPosts);
	const post = posts ? posts.find((p) => p.id === user.post_id) || posts[0] : null;
	return { post, error, loading: !posts && !error };
}

// One letter per day, coloured and lettered, with a summary for readers.
function Strip({ days, category }) {
	const mine = days.filter((d) => d.category === category);
	if (mine.length === 0) return null;
	const counts = LEVELS.map((l) => [l, mine.filter((d) => d.level === l).length]).filter(([, n]) => n > 0);
	const summary = `Computed rating over ${mine.length} days: ${counts.map(([l, n]) => `${l} ${n} days`).join(', ')}.`;
	return html`<div class="rating-strip" role="img" aria-label=${summary}>
		${mine.map((d) => html`<span key=${d.day} class=${`day level-${d.level.toLowerCase()}`}
			title=${`${d.day}: ${d.level} (${d.score.toFixed(2)})`}></span>`)}
		<p class="cell-sub">${fmtDate(mine[0].day)} – ${fmtDate(mine.at(-1).day)} · ${summary}</p>
	</div>`;
}

function CategoryCard({ c, changes, days, settings }) {
	const off = c.official;
	const mine = changes.filter((x) => x.category === c.category);
	return html`<section class="panel rating-card" aria-labelledby=${`r-${c.category}`}>
		<div class="panel-head">
			<h2 id=${`r-${c.category}`}>${CATEGORY_WORDS[c.category]}</h2>
			${c.disagreement ? html`<span class="badge badge-warn">Disagree for ${c.disagree_days} days</span>`
				: c.differs ? html`<span class="badge badge-muted">Differs since today</span>` : ''}
		</div>
		<div class="rating-pair">
			<div>
				<h3>Official</h3>
				${off ? html`<p><${LevelBadge} level=${off.to} /></p>
					<p class="note-text">${off.rationale}</p>
					<p class="cell-sub">Set by ${off.actor}, ${fmtTime(off.at)}</p>`
					: html`<p class="muted">Not set.</p>`}
			</div>
			<div>
				<h3>Computed</h3>
				<p><${LevelBadge} level=${c.computed.level} /> <span class="muted">score ${c.computed.score.toFixed(2)}</span></p>
				<p class="note-text">${c.computed.explanation}</p>
			</div>
		</div>
		${c.disagreement ? html`<div class="alert alert-warn">
			The official rating (${off.to}) and the computed one (${c.computed.level}) have differed
			${' '}since ${fmtDate(c.disagree_since)}, ${c.disagree_days} days — longer than the post's ${settings.disagree_days}.
			Review the official rating or record why it stands.
		</div>` : ''}
		${c.flagged_risks > 0 ? html`<p><a href=${`#/risks?flagged=true&category=${c.category}`}>
			${c.flagged_risks} linked risk${c.flagged_risks === 1 ? '' : 's'} flagged for review</a></p>` : ''}
		${c.computed.top.length > 0 ? html`<details>
			<summary>Largest contributors</summary>
			<table class="list-table">
				<thead><tr><th scope="col">What</th><th scope="col">Grade</th><th scope="col">Age</th>
					<th scope="col">Weight × decay</th><th scope="col">Adds</th></tr></thead>
				<tbody>${c.computed.top.map((t, i) => html`<tr key=${i}>
					<td>${t.kind === 'incident' && t.id ? html`<a href=${`#/threats/${encodeURIComponent(t.id)}`}>${t.title}</a>`
						: t.title || html`<span class="muted">A ${t.kind} you may not read</span>`}</td>
					<td>${t.grade} ${t.kind}</td>
					<td>${Math.round(t.age_days)} days</td>
					<td>${t.weight.toFixed(2)} × ${t.decay.toFixed(2)}</td>
					<td>${t.contribution.toFixed(2)}</td>
				</tr>`)}</tbody>
			</table>
		</details>` : ''}
		<details>
			<summary>History</summary>
			<${Strip} days=${days} category=${c.category} />
			${mine.length === 0 ? html`<p class="muted">No official changes.</p>` : html`<ul class="timeline">
				${mine.map((x) => html`<li key=${x.id}>
					<span class="muted">${fmtTime(x.at)}</span> — ${x.actor}:
					${x.from ? html`<${LevelBadge} level=${x.from} /> → ` : ''}<${LevelBadge} level=${x.to} />
					<p class="note-text">${x.rationale}</p>
				</li>`)}
			</ul>`}
		</details>
	</section>`;
}

function SetOfficial({ post, onSet }) {
	const [category, setCategory] = useState('terrorism');
	const [level, setLevel] = useState('Medium');
	const [rationale, setRationale] = useState('');
	const [state, setState] = useState({ busy: false, error: null, done: null });
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null, done: null });
		try {
			const r = await api.setRating(post.id, { category, level, rationale: rationale.trim() });
			setRationale('');
			setState({ busy: false, error: null,
				done: `${CATEGORY_WORDS[r.category]} is now ${r.to}.${r.raised
					? ` Raised: ${r.flagged_risks} linked risk${r.flagged_risks === 1 ? '' : 's'} flagged for review.` : ''}` });
			onSet();
		} catch (error) {
			setState({ busy: false, error, done: null });
		}
	};
	return html`<section class="panel" aria-labelledby="set-h">
		<h2 id="set-h">Set an official rating</h2>
		<form class="form-grid" onSubmit=${submit}>
			<div class="field">
				<label for="set-category">Category</label>
				<select id="set-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
					${Object.entries(CATEGORY_WORDS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
				</select>
			</div>
			<div class="field">
				<label for="set-level">Level</label>
				<select id="set-level" value=${level} onChange=${(e) => setLevel(e.currentTarget.value)}>
					${LEVELS.map((l) => html`<option key=${l} value=${l}>${l}</option>`)}
				</select>
			</div>
			<div class="field">
				<label for="set-rationale">Rationale <span class="req">(required)</span></label>
				<textarea id="set-rationale" rows="3" required value=${rationale}
					onInput=${(e) => setRationale(e.currentTarget.value)}></textarea>
			</div>
			<div class="form-actions">
				<button type="submit" class="btn btn-primary" disabled=${state.busy}>${state.busy ? 'Saving…' : 'Set rating'}</button>
			</div>
		</form>
		<${ErrorBox} error=${state.error} />
		${state.done ? html`<div class="alert alert-info" role="status">${state.done}</div>` : ''}
	</section>`;
}

export function RatingsPage({ user }) {
	const { post, error: postError } = usePost(user);
	const [state, setState] = useState({ rep: null, error: null });
	const [reload, setReload] = useState(0);
	useEffect(() => {
		if (!post) return undefined;
		const ctl = new AbortController();
		api.ratings(post.id, { history: true, days: 365 }, ctl.signal).then(
			(rep) => setState({ rep, error: null }),
			(error) => error.name !== 'AbortError' && setState({ rep: null, error }),
		);
		return () => ctl.abort();
	}, [post && post.id, reload]);
	const { rep, error } = state;
	const officer = (user.roles || []).includes('security_officer');
	return html`<section class="page">
		<${PageTitle} sub=${post ? `${post.name}: official ratings beside the ratings computed from incidents and graded reports.` : ''}>
			Threat ratings<//>
		<${ErrorBox} error=${postError || error} />
		${!rep && !error && !postError ? html`<${Loading} what="Loading the ratings" />` : ''}
		${rep ? html`
			<p class="muted">Computed: each incident counts its CAP severity weight, each valid report its grading weight,
				decaying with age (τ = ${rep.settings.tau_days} days); Medium from ${rep.settings.threshold_medium},
				High from ${rep.settings.threshold_high}, Critical from ${rep.settings.threshold_critical}.
				A disagreement is flagged after ${rep.settings.disagree_days} days.</p>
			<div class="ratings-grid">
				${rep.categories.map((c) => html`<${CategoryCard} key=${c.category} c=${c} changes=${rep.changes}
					days=${rep.daily} settings=${rep.settings} />`)}
			</div>
			${officer ? html`<${SetOfficial} post=${post} onSet=${() => setReload((n) => n + 1)} />` : ''}` : ''}
	</section>`;
}
