// pages/screening.js — watchlist screening: search (screen a name against
// the global lists and the post's own, each hit with its score explained),
// the review queue (confirm or dismiss a hit with a reason; the decision is
// remembered for that person and entry until either changes), and the
// lists with their versions and what each import changed.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, fmtTime, ErrorBox, Loading, PageTitle, loadPosts } from '../ui.js';

const TABS = [
	{ path: '', label: 'Search' },
	{ path: 'queue', label: 'Review queue', roles: ['security_officer', 'hq'] },
	{ path: 'lists', label: 'Lists' },
	{ path: 'lookout', label: 'Lookout & thresholds' },
];
const can = (user, roles) => !roles || (user.roles || []).some((r) => roles.includes(r));
const pct = (x) => `${Math.round(x * 1000) / 10}%`;

function Tabs({ current, user }) {
	return html`<nav class="tabs" aria-label="Screening">
		${TABS.filter((t) => can(user, t.roles)).map((t) => html`<a key=${t.path} href=${`#/screening${t.path ? `/${t.path}` : ''}`}
			class="btn btn-small" aria-current=${current === t.path ? 'page' : undefined}>${t.label}</a>`)}
	</nav>`;
}

// The post a screening is for: the user's, or (HQ) the first post.
function usePost(user) {
	const [post, setPost] = useState(user.post_id || null);
	useEffect(() => {
		if (post) return;
		loadPosts().then((ps) => ps.length && setPost(ps[0].id), () => {});
	}, []);
	return post;
}

function LevelBadge({ level }) {
	return html`<span class=${`badge ${level === 'alert' ? 'badge-warn' : 'badge-muted'} level-${level}`}>
		${level === 'alert' ? 'Alert' : 'Review'}</span>`;
}

// How the score came about: the aligned tokens and each factor's part.
function Explanation({ why, data }) {
	if (!why) return '';
	const best = data?.names?.[why.entry_name_index]?.name || why.entry_name;
	return html`<div class="explanation">
		<p class="cell-sub">Best name: <strong>${best}</strong> · name ${pct(why.name_score)} → score ${pct(why.score)}</p>
		${(why.alignments || []).length ? html`<ul class="tags">${why.alignments.map((a, i) => html`<li key=${i} class="tag">
			${a.query} ~ ${a.entry} <span class="muted">(${a.how} ${a.similarity.toFixed(2)})</span></li>`)}</ul>` : ''}
		<table class="factors">
			<caption class="visually-hidden">Factors</caption>
			<tbody>${(why.factors || []).map((f, i) => html`<tr key=${i}>
				<th scope="row">${f.name}</th>
				<td class="num">${f.contribution >= 0 ? '+' : ''}${f.contribution.toFixed(3)}</td>
				<td>${f.detail}</td></tr>`)}</tbody>
		</table>
	</div>`;
}

function EntrySummary({ data }) {
	if (!data) return '';
	const aliases = (data.names || []).slice(1, 6).map((n) => n.name);
	const dobs = (data.dates_of_birth || []).map((d) => `${d.circa ? 'circa ' : ''}${d.year}${d.year_to ? `–${d.year_to}` : ''}`);
	return html`<p class="cell-sub">
		${data.kind}${data.programs ? ` · ${data.programs}` : ''}${dobs.length ? ` · born ${dobs.join(', ')}` : ''}${
			(data.nationalities || []).length ? ` · ${data.nationalities.join(', ')}` : ''}
		${aliases.length ? html`<br />Also: ${aliases.join('; ')}` : ''}
	</p>`;
}

function HitCard({ hit, user, onDecided }) {
	const [reason, setReason] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const decide = async (decision) => {
		setBusy(true);
		setError(null);
		try {
			onDecided(await api.adjudicate(hit.id, decision, reason.trim()));
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	const mayDecide = hit.status === 'open' && can(user, ['security_officer']);
	const data = hit.entry.data || hit.entry;
	return html`<li class="panel hit" data-hit=${hit.id}>
		<div class="panel-head">
			<h3>${hit.entry.name || data.names?.[0]?.name}</h3>
			<span><${LevelBadge} level=${hit.level} /> <span class="badge badge-muted">${pct(hit.score)}</span></span>
		</div>
		<p class="cell-sub">${hit.list.name || hit.list}${hit.entry.ref ? ` · ref ${hit.entry.ref}` : ''}${
			hit.subject ? ` · screened: ${hit.subject.name}` : ''}${hit.created_at ? ` · ${fmtTime(hit.created_at)}` : ''}</p>
		<${EntrySummary} data=${data} />
		<${Explanation} why=${hit.explanation} data=${data} />
		${hit.status && hit.status !== 'open' ? html`<p class="decision"><strong>${hit.status === 'dismissed' ? 'Dismissed' : 'Confirmed'}</strong>${
			hit.decision ? ` by ${hit.decision.decided_by}: ${hit.decision.reason}` : ''}</p>` : ''}
		${mayDecide ? html`<div class="adjudicate">
			<div class="field">
				<label for=${`reason-${hit.id}`}>Reason for the decision</label>
				<textarea id=${`reason-${hit.id}`} rows="2" maxlength="2000" value=${reason}
					onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
			</div>
			<${ErrorBox} error=${error} />
			<p>
				<button type="button" class="btn btn-danger" disabled=${busy || !reason.trim()} onClick=${() => decide('confirmed')}>Confirm match</button>
				${' '}
				<button type="button" class="btn" disabled=${busy || !reason.trim()} onClick=${() => decide('dismissed')}>Dismiss</button>
			</p>
		</div>` : ''}
	</li>`;
}

function SearchTab({ user }) {
	const post = usePost(user);
	const [form, setForm] = useState({ name: '', dob: '', nationality: '' });
	const [result, setResult] = useState(null);
	const [state, setState] = useState({ busy: false, error: null });
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
	const submit = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		try {
			const body = { post_id: post, name: form.name.trim() };
			if (form.dob.trim()) body.dob = form.dob.trim();
			if (form.nationality.trim()) body.nationality = form.nationality.trim();
			setResult(await api.screen(body));
			setState({ busy: false, error: null });
		} catch (err) {
			setState({ busy: false, error: err });
		}
	};
	const replace = (h) => setResult({ ...result, hits: result.hits.map((x) => (x.id === h.id ? h : x)) });
	return html`<div>
		<form class="filters screen-form" onSubmit=${submit}>
			<div class="field field-grow"><label for="scr-name">Name</label>
				<input id="scr-name" value=${form.name} onInput=${set('name')} required maxlength="300" autocomplete="off" /></div>
			<div class="field"><label for="scr-dob">Date of birth</label>
				<input id="scr-dob" value=${form.dob} onInput=${set('dob')} placeholder="1965-03-12 or 1965" maxlength="40" /></div>
			<div class="field"><label for="scr-nat">Nationality</label>
				<input id="scr-nat" value=${form.nationality} onInput=${set('nationality')} placeholder="IQ or Iraq" maxlength="60" /></div>
			<div class="field"><button type="submit" class="btn btn-primary" disabled=${state.busy || !form.name.trim() || !post}>
				${state.busy ? 'Screening…' : 'Screen'}</button></div>
		</form>
		<${ErrorBox} error=${state.error} />
		${result ? html`<p class="result-count" role="status" aria-live="polite">
			${result.hits.length === 0 ? `No hits for ${result.subject.name}.` : `${result.hits.length} hits for ${result.subject.name}.`}</p>
			<ul class="hits">${result.hits.map((h) => html`<${HitCard} key=${h.id} hit=${h} user=${user} onDecided=${replace} />`)}</ul>` : ''}
	</div>`;
}

function QueueTab({ user }) {
	const [status, setStatus] = useState('open');
	const [list, setList] = useState({ items: null, error: null });
	useEffect(() => {
		setList({ items: null, error: null });
		api.hits({ status, limit: 200 }).then((r) => setList({ items: r.items || [], error: null }),
			(error) => setList({ items: [], error }));
	}, [status]);
	const decided = (h) => setList({ ...list, items: list.items.map((x) => (x.id === h.id ? h : x)) });
	return html`<div>
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field"><label for="q-status">Status</label>
				<select id="q-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
					<option value="open">Open</option><option value="confirmed">Confirmed</option>
					<option value="dismissed">Dismissed</option>
				</select></div>
		</form>
		<${ErrorBox} error=${list.error} />
		${list.items === null ? html`<${Loading} what="Loading the hits" />` : html`
			<p class="result-count" role="status">${list.items.length} hits.</p>
			${list.items.length === 0 ? html`<div class="panel empty"><p>Nothing waits for review.</p></div>` : ''}
			<ul class="hits">${list.items.map((h) => html`<${HitCard} key=${h.id} hit=${h} user=${user} onDecided=${decided} />`)}</ul>`}
	</div>`;
}

// A list's current entries, 50 at a time; lookout entries with their
// reason and seriousness.
function Entries({ id }) {
	const [page, setPage] = useState({ items: [], next: null, loading: true, error: null });
	const load = (cursor) => {
		setPage((p) => ({ ...p, loading: true }));
		api.watchlistEntries(id, { limit: 50, cursor }).then(
			(r) => setPage((p) => ({ items: (cursor ? p.items : []).concat(r.items || []), next: r.next_cursor, loading: false, error: null })),
			(error) => setPage((p) => ({ ...p, loading: false, error })));
	};
	useEffect(() => load(null), [id]);
	const lookout = page.items.some((e) => e.seriousness);
	return html`<section class="panel" aria-labelledby="entries-h">
		<h2 id="entries-h">Entries</h2>
		<${ErrorBox} error=${page.error} />
		${page.items.length === 0 && !page.loading ? html`<p class="muted">No entries.</p>` : html`<table class="people-table entries-table">
			<caption class="visually-hidden">Entries</caption>
			<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Ref</th>
				${lookout ? html`<th scope="col">Seriousness</th><th scope="col">Reason</th>` : ''}</tr></thead>
			<tbody>${page.items.map((e) => html`<tr key=${e.id}>
				<td class="cell-name">${e.name}<${EntrySummary} data=${e.entry} /></td>
				<td data-label="Kind">${e.kind}</td><td data-label="Ref">${e.ref}</td>
				${lookout ? html`<td data-label="Seriousness">${e.seriousness || ''}</td><td data-label="Reason">${e.reason || ''}</td>` : ''}
			</tr>`)}</tbody>
		</table>`}
		${page.next ? html`<div class="load-more"><button type="button" class="btn" disabled=${page.loading}
			onClick=${() => load(page.next)}>${page.loading ? 'Loading…' : 'Load more'}</button></div>` : ''}
	</section>`;
}

function ListsTab({ id }) {
	const [lists, setLists] = useState({ items: null, error: null });
	const [versions, setVersions] = useState(null);
	useEffect(() => {
		api.watchlists().then((r) => setLists({ items: r.items || [], error: null }), (error) => setLists({ items: [], error }));
	}, []);
	useEffect(() => {
		if (!id) return;
		setVersions(null);
		api.watchlistVersions(id).then((r) => setVersions(r.items || []), () => setVersions([]));
	}, [id]);
	const current = (lists.items || []).find((l) => l.id === id);
	return html`<div>
		<${ErrorBox} error=${lists.error} />
		${lists.items === null ? html`<${Loading} what="Loading the lists" />` : html`<table class="people-table lists-table">
			<caption class="visually-hidden">Watchlists</caption>
			<thead><tr><th scope="col">List</th><th scope="col">Source</th><th scope="col">Version</th>
				<th scope="col">Entries</th><th scope="col">Updated</th></tr></thead>
			<tbody>${lists.items.map((l) => html`<tr key=${l.id}>
				<td class="cell-name"><a class="row-link" href=${`#/screening/lists/${encodeURIComponent(l.id)}`}>${l.name}</a>
					<span class="cell-sub">${l.post_id ? 'this post' : 'global'}</span></td>
				<td data-label="Source">${l.source}</td>
				<td data-label="Version">${l.current_version}</td>
				<td data-label="Entries">${l.entries}</td>
				<td data-label="Updated">${fmtTime(l.updated_at)}</td></tr>`)}</tbody>
		</table>`}
		${id ? html`<section class="panel" aria-labelledby="versions-h">
			<h2 id="versions-h">Versions of ${current ? current.name : 'the list'}</h2>
			${versions === null ? html`<${Loading} what="Loading the versions" />` : versions.length === 0
				? html`<p class="muted">Nothing imported yet.</p>`
				: html`<table class="people-table versions-table">
					<caption class="visually-hidden">Versions</caption>
					<thead><tr><th scope="col">Version</th><th scope="col">Imported</th><th scope="col">Entries</th>
						<th scope="col">Added</th><th scope="col">Removed</th><th scope="col">Changed</th><th scope="col">Unchanged</th></tr></thead>
					<tbody>${versions.map((v) => html`<tr key=${v.id}>
						<td>${v.number}</td><td>${fmtTime(v.imported_at)} <span class="cell-sub">by ${v.imported_by}</span></td>
						<td>${v.entries}</td><td>${v.summary.added}</td><td>${v.summary.removed}</td>
						<td>${v.summary.changed}</td><td>${v.summary.unchanged}</td></tr>`)}</tbody>
				</table>`}
		</section>` : ''}
		${id ? html`<${Entries} key=${id} id=${id} />` : ''}
	</div>`;
}

const MANAGERS = ['security_officer', 'hq', 'administrator'];

// The post's thresholds: shown to all, changed by the list managers.
function Thresholds({ post, user }) {
	const [st, setSt] = useState(null);
	const [form, setForm] = useState({ review: '', alert: '' });
	const [state, setState] = useState({ busy: false, error: null, saved: false });
	useEffect(() => {
		if (!post) return;
		api.screeningSettings(post).then((r) => {
			setSt(r);
			setForm({ review: String(r.review), alert: String(r.alert) });
		}, (error) => setState({ busy: false, error, saved: false }));
	}, [post]);
	const save = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null, saved: false });
		try {
			setSt(await api.setScreeningSettings(post, { review: Number(form.review), alert: Number(form.alert) }));
			setState({ busy: false, error: null, saved: true });
		} catch (error) {
			setState({ busy: false, error, saved: false });
		}
	};
	const may = can(user, MANAGERS);
	return html`<section class="panel" aria-labelledby="thr-h">
		<h2 id="thr-h">Thresholds</h2>
		<p class="muted">A hit at or above <em>review</em> goes to the review queue; at or above <em>alert</em> it is an alert.</p>
		<${ErrorBox} error=${state.error} />
		${st ? html`<form class="filters" onSubmit=${save}>
			<div class="field"><label for="thr-review">Review from</label>
				<input id="thr-review" type="number" step="0.01" min="0.01" max="1" value=${form.review} disabled=${!may}
					onInput=${(e) => setForm({ ...form, review: e.currentTarget.value })} /></div>
			<div class="field"><label for="thr-alert">Alert from</label>
				<input id="thr-alert" type="number" step="0.01" min="0.01" max="1" value=${form.alert} disabled=${!may}
					onInput=${(e) => setForm({ ...form, alert: e.currentTarget.value })} /></div>
			${may ? html`<div class="field"><button type="submit" class="btn" disabled=${state.busy}>Save thresholds</button></div>` : ''}
			${state.saved ? html`<p role="status" class="muted">Saved.</p>` : ''}
		</form>` : html`<${Loading} what="Loading the thresholds" />`}
	</section>`;
}

const SERIOUSNESS = ['low', 'medium', 'high'];

// The post's own lookout entries: who to look out for, why, how seriously.
function LookoutTab({ user }) {
	const post = usePost(user);
	const empty = { name: '', aliases: '', dob: '', nationality: '', reason: '', seriousness: 'medium' };
	const [form, setForm] = useState(empty);
	const [list, setList] = useState({ items: null, error: null });
	const [state, setState] = useState({ busy: false, error: null });
	const reload = () => api.lookout(post).then((r) => setList({ items: r.items || [], error: null }),
		(error) => setList({ items: [], error }));
	useEffect(() => {
		if (post) reload();
	}, [post]);
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
	const add = async (e) => {
		e.preventDefault();
		setState({ busy: true, error: null });
		const body = { name: form.name.trim(), reason: form.reason.trim(), seriousness: form.seriousness };
		for (const k of ['aliases', 'dob', 'nationality']) if (form[k].trim()) body[k] = form[k].trim();
		try {
			await api.addLookout(post, body);
			setForm(empty);
			setState({ busy: false, error: null });
			reload();
		} catch (error) {
			setState({ busy: false, error });
		}
	};
	const remove = async (id) => {
		try {
			await api.removeLookout(id);
			reload();
		} catch (error) {
			setState({ busy: false, error });
		}
	};
	const may = can(user, MANAGERS);
	const errs = state.error ? state.error.fieldErrors || {} : {};
	return html`<div>
		<${Thresholds} post=${post} user=${user} />
		<section class="panel" aria-labelledby="lo-h">
			<h2 id="lo-h">Lookout entries</h2>
			<p class="muted">The post’s own: screened with the global lists. Adding or removing one re-screens the post’s people.</p>
			<${ErrorBox} error=${list.error} />
			${list.items === null ? html`<${Loading} what="Loading the lookout entries" />` : list.items.length === 0
				? html`<p class="muted">No lookout entries.</p>`
				: html`<table class="people-table lookout-table">
					<caption class="visually-hidden">Lookout entries</caption>
					<thead><tr><th scope="col">Name</th><th scope="col">Seriousness</th><th scope="col">Reason</th>
						<th scope="col">Added</th>${may ? html`<th scope="col"><span class="visually-hidden">Remove</span></th>` : ''}</tr></thead>
					<tbody>${list.items.map((e) => html`<tr key=${e.id}>
						<td class="cell-name">${e.name}<${EntrySummary} data=${e.entry} /></td>
						<td data-label="Seriousness"><span class=${`badge ${e.seriousness === 'high' ? 'badge-warn' : 'badge-muted'}`}>${e.seriousness}</span></td>
						<td data-label="Reason">${e.reason}</td>
						<td data-label="Added">${fmtTime(e.created_at)} <span class="cell-sub">by ${e.created_by}</span></td>
						${may ? html`<td><button type="button" class="btn btn-small" onClick=${() => remove(e.id)}
							aria-label=${`Remove ${e.name}`}>Remove</button></td>` : ''}
					</tr>`)}</tbody>
				</table>`}
			${may ? html`<form class="lookout-form" onSubmit=${add}>
				<h3>Add a lookout entry</h3>
				<div class="filters">
					<div class="field field-grow"><label for="lo-name">Name</label>
						<input id="lo-name" value=${form.name} onInput=${set('name')} required maxlength="300" />
						${errs.name ? html`<p class="field-error">${errs.name}</p>` : ''}</div>
					<div class="field field-grow"><label for="lo-aliases">Other names</label>
						<input id="lo-aliases" value=${form.aliases} onInput=${set('aliases')} placeholder="separated by ;" maxlength="2000" /></div>
					<div class="field"><label for="lo-dob">Date of birth</label>
						<input id="lo-dob" value=${form.dob} onInput=${set('dob')} maxlength="40" />
						${errs.dob ? html`<p class="field-error">${errs.dob}</p>` : ''}</div>
					<div class="field"><label for="lo-nat">Nationality</label>
						<input id="lo-nat" value=${form.nationality} onInput=${set('nationality')} maxlength="60" />
						${errs.nationality ? html`<p class="field-error">${errs.nationality}</p>` : ''}</div>
				</div>
				<div class="filters">
					<div class="field field-grow"><label for="lo-reason">Reason</label>
						<textarea id="lo-reason" rows="2" maxlength="2000" value=${form.reason} onInput=${set('reason')} required></textarea></div>
					<div class="field"><label for="lo-ser">Seriousness</label>
						<select id="lo-ser" value=${form.seriousness} onChange=${set('seriousness')}>
							${SERIOUSNESS.map((v) => html`<option key=${v} value=${v}>${v}</option>`)}
						</select></div>
				</div>
				<${ErrorBox} error=${state.error} />
				<p><button type="submit" class="btn btn-primary" disabled=${state.busy || !form.name.trim() || !form.reason.trim()}>
					Add to the lookout list</button></p>
			</form>` : ''}
		</section>
	</div>`;
}

export function ScreeningPage({ user, tab = '', id }) {
	const subs = {
		'': 'Screen a name against the OFAC and UN lists and the post’s own. Every hit says how its score came about.',
		queue: 'Hits waiting for a decision. A dismissed person and entry stay dismissed until either changes.',
		lists: 'The lists, their versions, and what each import changed.',
		lookout: 'The post’s own lookout entries and its screening thresholds.',
	};
	return html`<section class="page screening">
		<${PageTitle} sub=${subs[tab] || ''}>Watchlist screening<//>
		<${Tabs} current=${tab} user=${user} />
		${tab === 'queue' ? html`<${QueueTab} user=${user} />` : tab === 'lists' ? html`<${ListsTab} id=${id} />`
			: tab === 'lookout' ? html`<${LookoutTab} user=${user} />` : html`<${SearchTab} user=${user} />`}
	</section>`;
}
