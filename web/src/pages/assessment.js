// pages/assessment.js — the threat-assessment report of a post, the page
// the ambassador is briefed from: the ratings with their reasons, the trend
// of each category, the top risks and the heat map, the recent significant
// incidents and the open intelligence.  It is made to be printed (or saved
// as PDF from the print dialogue, or by headless Chromium): the print
// stylesheet drops the console around it, and it carries the highest
// classification of what it includes at its top and bottom.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtDate, fmtTime, CLEARANCES, ErrorBox, Loading } from '../ui.js';
import { CATEGORY_LABELS, Sparkline } from './dashboard.js';
import { LevelBadge, usePost } from './ratings.js';

const SIGNIFICANT = ['Extreme', 'Severe'];
const DAYS = 90;
const TOP_RISKS = 10;

// Every page of a list the reader may see.
async function all(load, params, signal) {
	const items = [];
	let cursor = null;
	for (let i = 0; i < 20; i++) {
		const r = await load({ ...params, limit: 200, ...(cursor ? { cursor } : {}) }, signal);
		items.push(...(r.items || []));
		cursor = r.next_cursor;
		if (!cursor) break;
	}
	return items;
}

async function gather(post, user, signal) {
	const since = new Date(Date.now() - DAYS * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
	const roles = user.roles || [];
	const may = (list) => roles.some((r) => list.includes(r));
	const [ratings, trends, risks, incidents, intel] = await Promise.all([
		may(['security_officer', 'analyst', 'eac_member', 'hq']) ? api.ratings(post.id, {}, signal) : null,
		api.trends(post.id, signal),
		may(['security_officer', 'analyst', 'eac_member', 'hq']) ? api.risks(post.id, {}, signal) : null,
		all((p, s) => api.incidents(p, s), { since }, signal),
		may(['security_officer', 'analyst', 'eac_member', 'hq'])
			? all((p, s) => api.intelReports(p, s), { open: 'true' }, signal) : [],
	]);
	const recent = incidents.filter((i) => i.post_id === post.id && SIGNIFICANT.includes(i.severity));
	return { ratings, trends, risks, incidents: recent, intel: intel.filter((r) => r.post_id === post.id), since };
}

// The highest classification among what the report includes.
function classificationOf(data) {
	let rank = 0;
	for (const x of [...data.incidents, ...data.intel]) rank = Math.max(rank, CLEARANCES.indexOf(x.classification));
	return CLEARANCES[rank] || 'UNCLASSIFIED';
}

function Banner({ level }) {
	return html`<p class=${`classification-banner cls-${level.toLowerCase()}`}>${level}</p>`;
}

function Ratings({ ratings }) {
	if (!ratings) return html`<p class="muted">Your role does not read threat ratings.</p>`;
	return html`<table class="report-table">
		<thead><tr><th scope="col">Category</th><th scope="col">Official</th><th scope="col">Computed</th></tr></thead>
		<tbody>${ratings.categories.map((c) => html`<tr key=${c.category}>
			<th scope="row">${CATEGORY_LABELS[c.category]}
				${c.disagreement ? html`<span class="badge badge-warn">Official and computed differ for ${c.disagree_days} days</span>` : ''}</th>
			<td>${c.official ? html`<${LevelBadge} level=${c.official.to} />
				<p class="note-text">${c.official.rationale}</p>
				<p class="cell-sub">${c.official.actor}, ${fmtDate(c.official.at)}</p>` : html`<span class="muted">Not set</span>`}</td>
			<td><${LevelBadge} level=${c.computed.level} /><p class="note-text">${c.computed.explanation}</p></td>
		</tr>`)}</tbody>
	</table>`;
}

function Trends({ trends }) {
	return html`<table class="report-table">
		<thead><tr><th scope="col">Category</th><th scope="col">Last 60 days</th><th scope="col">Test</th></tr></thead>
		<tbody>${trends.categories.map((c) => html`<tr key=${c.category}>
			<th scope="row">${CATEGORY_LABELS[c.category]}${c.alert ? html` <span class="badge sev-severe">Rising</span>` : ''}</th>
			<td><${Sparkline} daily=${c.daily} window=${trends.window_days}
				label=${`${CATEGORY_LABELS[c.category]}: ${c.recent} in the last ${trends.window_days} days`} /></td>
			<td class="note-text">${c.explanation}</td>
		</tr>`)}</tbody>
	</table>`;
}

function Risks({ risks, post }) {
	if (!risks) return html`<p class="muted">Your role does not read the risk register.</p>`;
	const top = [...risks.items].sort((a, b) => b.residual.score - a.residual.score || b.inherent.score - a.inherent.score)
		.slice(0, TOP_RISKS);
	return html`<div class="report-risks">
		<img class="heatmap" src=${`/api/v1/posts/${encodeURIComponent(post.id)}/risks/heatmap.svg`} width="680" height="494"
			alt="Risk heat map: counts of risks per likelihood and impact cell, inherent (I) and residual (R)." />
		<table class="report-table">
			<thead><tr><th scope="col">Risk</th><th scope="col">Inherent</th><th scope="col">Residual</th>
				<th scope="col">Treatment</th><th scope="col">Owner</th><th scope="col">Review</th></tr></thead>
			<tbody>${top.map((r) => html`<tr key=${r.id}>
				<td>${r.title}<span class="cell-sub"> ${r.asset}</span>${r.flagged ? html` <span class="badge badge-warn">Flagged</span>` : ''}</td>
				<td>${r.inherent.score} (${r.inherent.band})</td>
				<td>${r.residual.score} (${r.residual.band})</td>
				<td>${r.treatment}</td>
				<td>${r.owner_name || ''}</td>
				<td>${fmtDate(r.review_on)}${r.overdue ? ' — overdue' : ''}</td>
			</tr>`)}</tbody>
		</table>
		<p class="cell-sub">${risks.items.length} risks in the register; ${risks.flagged} flagged for review, ${risks.overdue} overdue.</p>
	</div>`;
}

function Incidents({ items }) {
	if (items.length === 0) return html`<p class="muted">No Extreme or Severe incident in the last ${DAYS} days.</p>`;
	return html`<table class="report-table">
		<thead><tr><th scope="col">When</th><th scope="col">Incident</th><th scope="col">Category</th><th scope="col">Status</th></tr></thead>
		<tbody>${items.map((i) => html`<tr key=${i.id}>
			<td>${fmtTime(i.occurred_at)}</td>
			<td><span class=${`badge sev-${i.severity.toLowerCase()}`}>${i.severity}</span> ${i.title}
				<span class="cell-sub"> ${i.classification} · TLP:${i.tlp}</span></td>
			<td>${CATEGORY_LABELS[i.category]}</td>
			<td>${i.status}</td>
		</tr>`)}</tbody>
	</table>`;
}

function Intel({ items }) {
	if (items.length === 0) return html`<p class="muted">No open intelligence you may read.</p>`;
	return html`<table class="report-table">
		<thead><tr><th scope="col">Grade</th><th scope="col">Report</th><th scope="col">Category</th><th scope="col">Valid until</th></tr></thead>
		<tbody>${items.map((r) => html`<tr key=${r.id}>
			<td><strong>${r.reliability}${r.credibility}</strong></td>
			<td>${r.title}<span class="cell-sub"> ${r.classification} · TLP:${r.tlp}</span>
				${r.summary ? html`<p class="note-text">${r.summary}</p>` : ''}</td>
			<td>${CATEGORY_LABELS[r.category]}</td>
			<td>${fmtDate(r.valid_until)}</td>
		</tr>`)}</tbody>
	</table>`;
}

export function AssessmentPage({ user }) {
	const { post, error: postError } = usePost(user);
	const [state, setState] = useState({ data: null, error: null });
	useEffect(() => {
		if (!post) return undefined;
		const ctl = new AbortController();
		gather(post, user, ctl.signal).then(
			(data) => setState({ data, error: null }),
			(error) => error.name !== 'AbortError' && setState({ data: null, error }),
		);
		return () => ctl.abort();
	}, [post && post.id]);
	const { data, error } = state;
	if (postError || error) return html`<section class="page"><${ErrorBox} error=${postError || error} /></section>`;
	if (!data) return html`<section class="page"><${Loading} what="Gathering the assessment" /></section>`;
	const level = classificationOf(data);
	const made = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
	return html`<article class="page assessment">
		<${Banner} level=${level} />
		<div class="page-head-row">
			<div>
				<h1 id="page-title" tabindex="-1">Threat assessment — ${post.name}</h1>
				<p class="muted">Prepared ${fmtTime(made)} for ${user.display_name || user.username}; it holds only what
					${' '}your role and clearance may read (${user.clearance}).</p>
			</div>
			<button type="button" class="btn btn-primary" onClick=${() => window.print()}>Print or save as PDF</button>
		</div>
		<section class="report-section" aria-labelledby="a-ratings"><h2 id="a-ratings">1. Threat ratings</h2><${Ratings} ratings=${data.ratings} /></section>
		<section class="report-section" aria-labelledby="a-trends"><h2 id="a-trends">2. Incident trends</h2><${Trends} trends=${data.trends} /></section>
		<section class="report-section" aria-labelledby="a-risks"><h2 id="a-risks">3. Top risks</h2><${Risks} risks=${data.risks} post=${post} /></section>
		<section class="report-section" aria-labelledby="a-incidents">
			<h2 id="a-incidents">4. Significant incidents, last ${DAYS} days</h2><${Incidents} items=${data.incidents} /></section>
		<section class="report-section" aria-labelledby="a-intel"><h2 id="a-intel">5. Open intelligence</h2><${Intel} items=${data.intel} /></section>
		<${Banner} level=${level} />
	</article>`;
}
