// pages/dashboard.js — the morning picture of a post: the trend of each
// threat category with its alert, the latest incidents, and a live feed
// (server-sent events) of what is reported while the page is open.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtTime, ErrorBox, Loading, PageTitle } from '../ui.js';

export const CATEGORY_LABELS = {
	political_violence: 'Political violence', terrorism: 'Terrorism', crime: 'Crime',
	human_intelligence: 'Human intelligence', technical_cyber: 'Technical and cyber',
};
const FEED_MAX = 30;

// The daily counts of the last `days` days as a small bar chart; the recent
// window is drawn apart from the baseline.
export function Sparkline({ daily, window, days = 60, label }) {
	const data = daily.slice(-days);
	const max = Math.max(1, ...data);
	const w = 3;
	const height = 28;
	return html`<svg class="sparkline" viewBox=${`0 0 ${data.length * w} ${height}`} width=${data.length * w} height=${height}
		role="img" aria-label=${label}>
		<title>${label}</title>
		${data.map((n, i) => n > 0 && html`<rect key=${i} x=${i * w} y=${height - (n / max) * height} width=${w - 1}
			height=${(n / max) * height} class=${i >= data.length - window ? 'spark-recent' : 'spark-base'} />`)}
	</svg>`;
}

function Trends({ trends }) {
	return html`<section class="panel" aria-labelledby="trends-h">
		<h2 id="trends-h">Incident trends</h2>
		<p class="hint">${`Incidents a day over the last 60 days; the last ${trends.window_days} days against the ${trends.baseline_days} before them.`}</p>
		<ul class="trend-list">${trends.categories.map((c) => html`<li key=${c.category} class=${c.alert ? 'trend trend-alert' : 'trend'}>
			<div class="trend-head">
				<strong>${CATEGORY_LABELS[c.category] || c.category}</strong>
				${c.alert ? html`<span class="badge sev-severe">Rising</span>` : html`<span class="muted">steady</span>`}
			</div>
			<${Sparkline} daily=${c.daily} window=${trends.window_days}
				label=${`${CATEGORY_LABELS[c.category]}: ${c.recent} in the last ${trends.window_days} days`} />
			<p class="cell-sub">${c.explanation}</p>
		</li>`)}</ul>
	</section>`;
}

// Official and computed rating per category, with the disagreement flag.
function Ratings({ ratings }) {
	return html`<section class="panel" aria-labelledby="ratings-h">
		<h2 id="ratings-h">Threat ratings</h2>
		<table class="report-table dash-ratings">
			<thead><tr><th scope="col">Category</th><th scope="col">Official</th><th scope="col">Computed</th></tr></thead>
			<tbody>${ratings.categories.map((c) => html`<tr key=${c.category}>
				<th scope="row">${CATEGORY_LABELS[c.category]}</th>
				<td>${c.official ? html`<span class=${`badge level level-${c.official.to.toLowerCase()}`}>${c.official.to}</span>` : html`<span class="muted">not set</span>`}</td>
				<td><span class=${`badge level level-${c.computed.level.toLowerCase()}`} title=${c.computed.explanation}>${c.computed.level}</span>
					${c.disagreement ? html` <span class="badge badge-warn">differs ${c.disagree_days} days</span>` : ''}</td>
			</tr>`)}</tbody>
		</table>
		<p><a href="#/ratings">Why, and the history →</a></p>
	</section>`;
}

function HeatMap({ postId }) {
	return html`<section class="panel" aria-labelledby="dash-hm-h">
		<h2 id="dash-hm-h">Risk heat map</h2>
		<img class="heatmap" src=${`/api/v1/posts/${encodeURIComponent(postId)}/risks/heatmap.svg?v=${Date.now()}`}
			width="680" height="494"
			alt="Risk heat map: counts of risks per likelihood and impact cell, inherent (I) and residual (R)." />
		<p><a href="#/risks">The register →</a></p>
	</section>`;
}

function Recent({ items }) {
	return html`<section class="panel" aria-labelledby="recent-h">
		<h2 id="recent-h">Latest incidents</h2>
		${items.length === 0 ? html`<p class="muted">No incidents.</p>` : html`<ul class="recent">${items.map((i) => html`<li key=${i.id}>
			<span class=${`badge sev-${String(i.severity).toLowerCase()}`}>${i.severity}</span>${' '}
			<a href=${`#/threats/${encodeURIComponent(i.id)}`}>${i.title}</a>
			<span class="cell-sub"> ${fmtTime(i.occurred_at)} · ${CATEGORY_LABELS[i.category] || i.category} · ${i.status}</span>
		</li>`)}</ul>`}
		<p><a href="#/threats">All incidents →</a></p>
	</section>`;
}

// What the feed says of one event.
function feedLine(ev) {
	const d = ev.data;
	if (ev.event === 'trend.alert') return { alert: true, text: `Trend alert — ${CATEGORY_LABELS[d.category] || d.category}: ${d.explanation}` };
	if (d.object_type === 'incident') {
		const verb = { 'incident.reported': 'Reported', 'incident.updated': 'Changed', 'incident.transitioned': `Now ${d.status}`,
			'incident.evidence.added': 'Evidence added' }[ev.event] || ev.event;
		return { alert: false, text: `${verb}: ${d.title} (${d.severity})`, href: `#/threats/${encodeURIComponent(d.object_id)}` };
	}
	if (d.object_type === 'intel_report') {
		const verb = { 'intel.report.created': 'New report', 'intel.report.updated': 'Report changed',
			'intel.report.assessed': 'Report assessed', 'intel.report.withdrawn': 'Report withdrawn',
			'intel.report.reinstated': 'Report reinstated' }[ev.event] || ev.event;
		return { alert: false, text: `${verb} (${d.grading}): ${d.title}`, href: `#/intel/reports/${encodeURIComponent(d.object_id)}` };
	}
	if (d.object_type === 'alarm') {
		const what = { 'alarm.raised': 'Alarm', 'alarm.escalated': 'Alarm escalated', 'alarm.acknowledged': 'Alarm acknowledged',
			'alarm.resolved': 'Alarm resolved' }[ev.event] || ev.event;
		return { alert: ev.event === 'alarm.raised' || ev.event === 'alarm.escalated',
			text: `${what}: ${String(d.kind).replace(/_/g, ' ')}${d.detail ? ` — ${d.detail}` : ''}`, href: '#/facility/alarms' };
	}
	if (ev.event === 'screening.hit') return { alert: true, text: 'A watchlist hit waits for review', href: '#/screening/queue' };
	return { alert: false, text: ev.event };
}

function LiveFeed({ items, state }) {
	return html`<section class="panel" aria-labelledby="feed-h">
		<h2 id="feed-h">Live feed <span class=${`live-dot live-${state}`} aria-hidden="true"></span>
			<span class="cell-sub">${state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : 'reconnecting…'}</span></h2>
		<ol class="feed" aria-live="polite">
			${items.length === 0 ? html`<li class="muted">New incidents and alerts appear here as they happen.</li>` : ''}
			${items.map((f) => html`<li key=${f.key} class=${f.alert ? 'feed-alert' : ''}>
				<span class="cell-sub">${fmtTime(f.time)}</span>
				${f.href ? html`<a href=${f.href}>${f.text}</a>` : html`<span>${f.text}</span>`}
			</li>`)}
		</ol>
	</section>`;
}

export function DashboardPage({ user }) {
	const postId = user.post_id;
	const [trends, setTrends] = useState(null);
	const [ratings, setRatings] = useState(null);
	const readsRatings = (user.roles || []).some((r) => ['security_officer', 'analyst', 'eac_member', 'hq'].includes(r));
	const [recent, setRecent] = useState(null);
	const [error, setError] = useState(null);
	const [feed, setFeed] = useState([]);
	const [feedState, setFeedState] = useState('connecting');
	const [tick, setTick] = useState(0);
	const reloadTimer = useRef(null);

	useEffect(() => {
		const ctl = new AbortController();
		const loads = [api.incidents({ limit: 8 }, ctl.signal).then((r) => setRecent(r.items || []))];
		if (postId) loads.push(api.trends(postId, ctl.signal).then(setTrends));
		if (postId && readsRatings) loads.push(api.ratings(postId, {}, ctl.signal).then(setRatings));
		Promise.all(loads).catch((err) => err.name !== 'AbortError' && setError(err));
		return () => ctl.abort();
	}, [postId, tick]);

	useEffect(() => {
		const es = new EventSource('/api/v1/events/stream');
		const onEvent = (e) => {
			let data;
			try {
				data = JSON.parse(e.data);
			} catch {
				return;
			}
			const line = feedLine({ event: e.type, data });
			setFeed((f) => [{ key: e.lastEventId || `${Date.now()}`, time: data.time, ...line }, ...f].slice(0, FEED_MAX));
			// Several events at once reload once.
			clearTimeout(reloadTimer.current);
			reloadTimer.current = setTimeout(() => setTick((n) => n + 1), 300);
		};
		for (const type of ['incident.reported', 'incident.updated', 'incident.transitioned', 'incident.evidence.added', 'trend.alert',
			'intel.report.created', 'intel.report.updated', 'intel.report.assessed', 'intel.report.withdrawn', 'intel.report.reinstated',
			'alarm.raised', 'alarm.escalated', 'alarm.acknowledged', 'alarm.resolved', 'screening.hit'])
			es.addEventListener(type, onEvent);
		es.addEventListener('gap', () => setTick((n) => n + 1));
		es.onopen = () => setFeedState('open');
		es.onerror = () => setFeedState(es.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
		return () => {
			clearTimeout(reloadTimer.current);
			es.close();
		};
	}, []);

	return html`<section class="page dashboard">
		<${PageTitle} sub="Trends, the latest incidents and what happens now">Dashboard<//>
		<${ErrorBox} error=${error} />
		<div class="dash-grid">
			<div>
				${ratings ? html`<${Ratings} ratings=${ratings} />` : ''}
				${trends ? html`<${Trends} trends=${trends} />` : postId ? html`<${Loading} what="Loading trends" />` : ''}
				${postId && readsRatings ? html`<${HeatMap} postId=${postId} key=${tick} />` : ''}
			</div>
			<div>
				<${LiveFeed} items=${feed} state=${feedState} />
				${recent ? html`<${Recent} items=${recent} />` : html`<${Loading} what="Loading incidents" />`}
			</div>
		</div>
	</section>`;
}
