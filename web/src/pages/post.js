// pages/post.js — the posts this user can see, and the zones inside each.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, countryName, loadPosts, useLoad, ErrorBox, Loading, PageTitle } from '../ui.js';

const KINDS = { embassy: 'Embassy', consulate: 'Consulate', consulate_general: 'Consulate general', mission: 'Permanent mission', hq: 'Headquarters' };
const LEVELS = { public: 'Public', controlled: 'Controlled access', restricted: 'Restricted' };

export function PostPage({ user }) {
	const { value: posts, error } = useLoad(loadPosts);
	const [chosen, setChosen] = useState(null);
	if (error) return html`<section class="page"><${PageTitle}>Post & zones<//><${ErrorBox} error=${error} /></section>`;
	if (!posts) return html`<section class="page"><${Loading} /></section>`;
	const post = posts.find((p) => String(p.id) === String(chosen ?? user.post_id)) || posts[0];
	return html`<section class="page">
		<${PageTitle}>Post & zones<//>
		${posts.length > 1 ? html`<div class="filters"><div class="field">
			<label for="post-pick">Post</label>
			<select id="post-pick" value=${post ? String(post.id) : ''} onChange=${(e) => setChosen(e.currentTarget.value)}>
				${posts.map((p) => html`<option key=${p.id} value=${String(p.id)}>${p.name}</option>`)}
			</select>
		</div></div>` : ''}
		${post ? html`<${PostView} post=${post} key=${post.id} />` : html`<p>No post is recorded.</p>`}
	</section>`;
}

function PostView({ post }) {
	const { value: zones, error } = useLoad(() => api.zones(post.id).then((r) => r.items || []), [post.id]);
	return html`<div class="person-grid">
		<section class="panel" aria-labelledby="post-h">
			<h2 id="post-h">${post.name}</h2>
			<dl class="details">
				<div><dt>Kind</dt><dd>${KINDS[post.kind] || post.kind || '—'}</dd></div>
				<div><dt>Place</dt><dd>${[post.city, countryName(post.country)].filter(Boolean).join(', ') || '—'}</dd></div>
				<div><dt>Time zone</dt><dd>${post.timezone || '—'}</dd></div>
				<div><dt>Local time</dt><dd>${localTime(post.timezone)}</dd></div>
			</dl>
		</section>
		<section class="panel" aria-labelledby="zones-h">
			<h2 id="zones-h">Zones</h2>
			<${ErrorBox} error=${error} />
			${!zones && !error ? html`<${Loading} />` : ''}
			${zones && zones.length === 0 ? html`<p class="muted">No zones are defined.</p>` : ''}
			${zones && zones.length ? html`<${ZoneTree} zones=${zones} parent=${null} />` : ''}
		</section>
	</div>`;
}

function ZoneTree({ zones, parent }) {
	const ids = new Set(zones.map((z) => String(z.id)));
	const here = zones.filter((z) => (parent === null
		? z.parent_id === null || z.parent_id === undefined || !ids.has(String(z.parent_id))
		: String(z.parent_id) === String(parent)));
	if (here.length === 0) return null;
	return html`<ul class=${parent === null ? 'zones' : 'zones zones-sub'}>
		${here.map((z) => html`<li key=${z.id}>
			<span class="zone-name">${z.name}</span>
			<span class=${`tag zone-${z.level}`}>${LEVELS[z.level] || z.level}</span>
			${z.required_clearance ? html`<span class="tag">${z.required_clearance}</span>` : ''}
			${z.escort_required ? html`<span class="tag tag-warn">escort required</span>` : ''}
			<${ZoneTree} zones=${zones} parent=${z.id} />
		</li>`)}
	</ul>`;
}

function localTime(tz) {
	if (!tz) return '—';
	try {
		return new Date().toLocaleString('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit' });
	} catch {
		return '—';
	}
}
