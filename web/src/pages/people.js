// pages/people.js — the people of the post: search, filters, a table that
// becomes cards at phone width, an immunity badge per person, "Load more".
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import {
	html, canEditPeople, countryName, loadCategories, loadPosts, useLoad,
	ErrorBox, ImmunityBadge, Loading, PageTitle,
} from '../ui.js';

const PAGE = 50;

export function PeoplePage({ params, user }) {
	const [q, setQ] = useState(params.get('q') || '');
	const [term, setTerm] = useState(q.trim());
	const [category, setCategory] = useState(params.get('category') || '');
	const [host, setHost] = useState(params.get('host_national') || '');
	const [postId, setPostId] = useState(params.get('post_id') || '');
	const [list, setList] = useState({ items: [], next: null, loading: true, error: null });
	const [more, setMore] = useState({ loading: false, error: null });
	const categories = useLoad(loadCategories).value || [];
	const posts = useLoad(loadPosts).value || [];
	const postName = (id) => (posts.find((p) => String(p.id) === String(id)) || {}).name || '';
	const filters = { q: term, category, host_national: host, post_id: postId };
	const searchBox = useRef(null);

	// Debounce typing: search 300 ms after the last key.
	useEffect(() => {
		const t = setTimeout(() => setTerm(q.trim()), 300);
		return () => clearTimeout(t);
	}, [q]);

	// Fetch the first page whenever the search or a filter changes, and keep
	// them in the address so "back" from a profile returns to the same list.
	useEffect(() => {
		history.replaceState(null, '', `#/people${query(filters)}`);
		const ctl = new AbortController();
		setList((l) => ({ ...l, loading: true, error: null }));
		setMore({ loading: false, error: null });
		api.people({ ...filters, limit: PAGE }, ctl.signal).then(
			(r) => setList({ items: r.items || [], next: r.next_cursor || null, loading: false, error: null }),
			(err) => err.name !== 'AbortError' && setList({ items: [], next: null, loading: false, error: err }),
		);
		return () => ctl.abort();
	}, [term, category, host, postId]);

	const loadMore = async () => {
		setMore({ loading: true, error: null });
		try {
			const r = await api.people({ ...filters, limit: PAGE, cursor: list.next });
			setList((l) => ({ ...l, items: l.items.concat(r.items || []), next: r.next_cursor || null }));
			setMore({ loading: false, error: null });
		} catch (err) {
			setMore({ loading: false, error: err });
		}
	};

	const filtered = term || category || host || postId;
	const clear = () => {
		setQ('');
		setTerm('');
		setCategory('');
		setHost('');
		setPostId('');
		if (searchBox.current) searchBox.current.focus();
	};

	return html`<section class="page">
		<div class="page-head-row">
			<${PageTitle}>People & status<//>
			${canEditPeople(user) ? html`<a class="btn btn-primary" href="#/people/new">New person</a>` : ''}
		</div>

		<form class="filters" role="search" onSubmit=${(e) => { e.preventDefault(); setTerm(q.trim()); }}>
			<div class="field field-grow">
				<label for="people-q">Search</label>
				<input id="people-q" ref=${searchBox} type="search" value=${q} placeholder="Given or family name"
					autocomplete="off" spellcheck="false" onInput=${(e) => setQ(e.currentTarget.value)} />
			</div>
			<div class="field">
				<label for="people-category">Category</label>
				<select id="people-category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
					<option value="">All categories</option>
					${categories.map((c) => html`<option key=${c.code} value=${c.code}>${c.label}</option>`)}
				</select>
			</div>
			<div class="field">
				<label for="people-host">Host national</label>
				<select id="people-host" value=${host} onChange=${(e) => setHost(e.currentTarget.value)}>
					<option value="">Everyone</option>
					<option value="true">Host-country nationals</option>
					<option value="false">Not host-country nationals</option>
				</select>
			</div>
			${posts.length > 1 ? html`<div class="field">
				<label for="people-post">Post</label>
				<select id="people-post" value=${postId} onChange=${(e) => setPostId(e.currentTarget.value)}>
					<option value="">All posts</option>
					${posts.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
				</select>
			</div>` : ''}
			${filtered ? html`<button type="button" class="btn btn-ghost filters-clear" onClick=${clear}>Clear</button>` : ''}
		</form>

		<p class="result-count" role="status" aria-live="polite">
			${list.loading ? 'Searching…' : list.error ? '' : countText(list.items.length, !!list.next, filtered)}
		</p>

		<${ErrorBox} error=${list.error} />

		${!list.loading && !list.error && list.items.length === 0 ? html`<div class="panel empty">
			<p>${filtered ? 'No one matches this search.' : 'No people are recorded at this post yet.'}</p>
			${filtered ? html`<button type="button" class="btn" onClick=${clear}>Clear the search and filters</button>` : ''}
		</div>` : ''}

		${list.items.length > 0 ? html`<table class="people-table">
			<caption class="visually-hidden">People${term ? ` matching “${term}”` : ''}</caption>
			<thead>
				<tr>
					<th scope="col">Name</th>
					<th scope="col">Category</th>
					<th scope="col">Nationality</th>
					${posts.length > 1 ? html`<th scope="col">Post</th>` : ''}
					<th scope="col">Immunity</th>
				</tr>
			</thead>
			<tbody class=${list.loading ? 'stale' : ''}>
				${list.items.map((p) => html`<tr key=${p.id}>
					<td class="cell-name">
						<a class="row-link" href=${`#/people/${encodeURIComponent(p.id)}`}>${p.full_name}</a>
						${p.position ? html`<span class="cell-sub">${p.position}</span>` : ''}
					</td>
					<td data-label="Category">
						${p.category_label || p.category}
					</td>
					<td data-label="Nationality">
						${p.nationality ? html`<abbr title=${p.nationality}>${countryName(p.nationality)}</abbr>` : '—'}
						${p.host_national ? html`<span class="tag tag-host">host national</span>` : ''}
						${p.permanent_resident ? html`<span class="tag tag-host">permanent resident</span>` : ''}
					</td>
					${posts.length > 1 ? html`<td data-label="Post">${postName(p.post_id)}</td>` : ''}
					<td data-label="Immunity"><${ImmunityBadge} immunity=${p.immunity} /></td>
				</tr>`)}
			</tbody>
		</table>` : ''}

		${list.loading && list.items.length === 0 ? html`<${Loading} what="Loading people" />` : ''}

		${list.next && !list.loading ? html`<div class="load-more">
			<${ErrorBox} error=${more.error} />
			<button type="button" class="btn" onClick=${loadMore} disabled=${more.loading}>
				${more.loading ? 'Loading…' : 'Load more'}
			</button>
		</div>` : ''}
	</section>`;
}

function countText(n, hasMore, filtered) {
	if (n === 0) return '';
	const who = n === 1 ? '1 person' : `${n} people`;
	if (hasMore) return `Showing the first ${who}${filtered ? ' that match' : ''}; more below.`;
	return filtered ? `${who} ${n === 1 ? 'matches' : 'match'}.` : `${who}.`;
}
