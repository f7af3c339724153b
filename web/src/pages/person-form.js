// pages/person-form.js — create a person, or edit one (security officers and
// administrators only). Edits send only the changed fields with If-Match;
// the server's field errors are shown beside their fields.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import {
	html, CLEARANCES, canEditPeople, countryName, loadCategories, loadPosts, useLoad,
	ErrorBox, Loading, PageTitle,
} from '../ui.js';

// Every field the API takes, in form order. kind: text, date, bool, select.
const FIELDS = {
	given_name: { label: 'Given name', required: true, autocomplete: 'off' },
	family_name: { label: 'Family name', required: true, autocomplete: 'off' },
	date_of_birth: { label: 'Date of birth', kind: 'date' },
	gender: { label: 'Gender', kind: 'select' },
	nationality: { label: 'Nationality', required: true, hint: 'Two-letter country code (ISO 3166-1), e.g. HU.' },
	host_national: { label: 'National of the host country', kind: 'bool' },
	permanent_resident: { label: 'Permanent resident of the host country', kind: 'bool' },
	post_id: { label: 'Post', kind: 'select', required: true },
	category: { label: 'Staff category', kind: 'select', required: true, hint: 'Decides the immunity profile.' },
	position: { label: 'Position' },
	clearance: { label: 'Clearance', kind: 'select' },
	notified_on: { label: 'Host ministry notified on', kind: 'date', hint: 'Privileges start on notification or entry.' },
	arrived_on: { label: 'Arrived on', kind: 'date' },
	functions_end_on: { label: 'Functions end on', kind: 'date' },
	email: { label: 'E-mail', type: 'email', autocomplete: 'off' },
	phone: { label: 'Phone', type: 'tel', autocomplete: 'off' },
	household_of: { label: 'Member of the household of', kind: 'select' },
	relationship: { label: 'Relationship to them', kind: 'select' },
};
const NAMES = Object.keys(FIELDS);
const GENDERS = [['female', 'Female'], ['male', 'Male'], ['other', 'Other'], ['unspecified', 'Unspecified']];
const RELATIONSHIPS = [['spouse', 'Spouse'], ['partner', 'Partner'], ['child', 'Child'], ['parent', 'Parent'], ['other', 'Other']];

// API record → form values (strings and booleans), and back.
function toValues(p = {}) {
	const v = {};
	for (const n of NAMES) {
		v[n] = FIELDS[n].kind === 'bool' ? !!p[n] : p[n] === null || p[n] === undefined ? '' : String(p[n]);
	}
	return v;
}
function toApi(name, value, idOf) {
	if (FIELDS[name].kind === 'bool') return !!value;
	const s = String(value).trim();
	if (s === '') return null;
	if (name === 'nationality') return s.toUpperCase();
	if (name === 'post_id' || name === 'household_of') return idOf(name, s);
	return s;
}

export function PersonFormPage({ id, user }) {
	const editing = id !== undefined;
	const [record, setRecord] = useState(null); // the stored person when editing
	const [initial, setInitial] = useState(null);
	const [values, setValues] = useState(null);
	const [loadError, setLoadError] = useState(null);
	const [errors, setErrors] = useState({});
	const [formError, setFormError] = useState(null);
	const [stale, setStale] = useState(false);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const posts = useLoad(loadPosts).value;
	const categories = useLoad(loadCategories).value;
	const principals = usePrincipals(values && values.post_id, id);
	const form = useRef(null);

	useEffect(() => {
		if (!editing) {
			const v = toValues({ post_id: user.post_id });
			setInitial(v);
			setValues(v);
			return;
		}
		api.person(id).then(
			(p) => {
				setRecord(p);
				setInitial(toValues(p));
				setValues(toValues(p));
			},
			setLoadError,
		);
	}, [id]);

	if (!canEditPeople(user)) {
		return html`<section class="page">
			<${PageTitle}>${editing ? 'Edit person' : 'New person'}<//>
			<p class="alert alert-info">Only security officers and administrators can add or change people.</p>
			<p><a href="#/people">Back to People & status</a></p>
		</section>`;
	}
	if (loadError) {
		return html`<section class="page"><${PageTitle}>Edit person<//><${ErrorBox} error=${loadError} /></section>`;
	}
	if (!values || !posts || !categories) return html`<section class="page"><${Loading} /></section>`;

	// Select values are strings; give the API back the id in its own type.
	const idOf = (name, s) => {
		const list = name === 'post_id' ? posts : principals;
		const hit = list.find((x) => String(x.id) === s);
		if (hit) return hit.id;
		return /^\d+$/.test(s) && posts.length && typeof posts[0].id === 'number' ? Number(s) : s;
	};
	const set = (name, value) => {
		setValues((v) => ({ ...v, [name]: value }));
		if (errors[name]) setErrors((e) => ({ ...e, [name]: undefined }));
	};
	const changed = NAMES.filter((n) => values[n] !== initial[n]);
	const back = editing ? `#/people/${encodeURIComponent(id)}` : '#/people';

	const focusFirstError = (errs) => {
		const first = NAMES.find((n) => errs[n]);
		const el = first && form.current && form.current.querySelector(`[name="${first}"]`);
		if (el) el.focus();
	};

	const submit = async (e) => {
		e.preventDefault();
		setFormError(null);
		setNotice('');
		const missing = {};
		for (const n of NAMES) {
			if (FIELDS[n].required && String(values[n]).trim() === '') missing[n] = `${FIELDS[n].label} is required.`;
		}
		if (Object.keys(missing).length) {
			setErrors(missing);
			focusFirstError(missing);
			return;
		}
		const body = {};
		for (const n of editing ? changed : NAMES) {
			const v = toApi(n, values[n], idOf);
			if (editing || v !== null) body[n] = v;
		}
		if (editing && changed.length === 0) {
			setNotice('Nothing has changed.');
			return;
		}
		setBusy(true);
		try {
			const saved = editing ? await api.updatePerson(id, record.version, body) : await api.createPerson(body);
			location.hash = `#/people/${encodeURIComponent(saved.id)}`;
		} catch (err) {
			setBusy(false);
			if (err.status === 412) {
				setStale(true);
				return;
			}
			const fe = err.fieldErrors;
			const known = {};
			const unknown = [];
			for (const [k, d] of Object.entries(fe)) (FIELDS[k] ? (known[k] = d) : unknown.push(d));
			setErrors(known);
			setFormError(Object.keys(fe).length === 0 || unknown.length ? { message: unknown.length ? unknown.join(' ') : err.message } : null);
			if (Object.keys(known).length) focusFirstError(known);
		}
	};

	// Someone else saved first: take their record, keep our edits to the
	// fields they did not touch, and say which of ours gave way.
	const reload = async () => {
		try {
			const fresh = await api.person(id);
			const theirs = toValues(fresh);
			const merged = { ...theirs };
			const lost = [];
			for (const n of changed) {
				if (theirs[n] === initial[n]) merged[n] = values[n];
				else if (theirs[n] !== values[n]) lost.push(FIELDS[n].label);
			}
			setRecord(fresh);
			setInitial(theirs);
			setValues(merged);
			setStale(false);
			setErrors({});
			setNotice(lost.length
				? `Reloaded. They also changed: ${lost.join(', ')}; their values are shown there. Your other edits are kept — check and save again.`
				: 'Reloaded with their changes. Your edits are kept — check and save again.');
		} catch (err) {
			setFormError(err);
		}
	};

	const field = (name, control) => {
		const f = FIELDS[name];
		const err = errors[name];
		const ids = [f.hint ? `${name}-hint` : '', err ? `${name}-error` : ''].filter(Boolean).join(' ');
		return html`<div class=${`field${err ? ' has-error' : ''}`}>
			<label for=${`f-${name}`}>${f.label}${f.required ? html`<span class="req" aria-hidden="true"> *</span>` : ''}</label>
			${control({ id: `f-${name}`, name, 'aria-invalid': err ? 'true' : undefined, 'aria-describedby': ids || undefined, required: f.required })}
			${f.hint ? html`<p class="hint" id=${`${name}-hint`}>${f.hint}</p>` : ''}
			${err ? html`<p class="field-error" id=${`${name}-error`}>${err}</p>` : ''}
		</div>`;
	};
	const text = (name) => field(name, (a) => html`<input ...${a} type=${FIELDS[name].type || 'text'}
		autocomplete=${FIELDS[name].autocomplete} value=${values[name]} onInput=${(e) => set(name, e.currentTarget.value)} />`);
	const date = (name) => field(name, (a) => html`<input ...${a} type="date" value=${values[name]}
		onInput=${(e) => set(name, e.currentTarget.value)} />`);
	const select = (name, options, empty) => field(name, (a) => html`<select ...${a} value=${values[name]}
		onChange=${(e) => set(name, e.currentTarget.value)}>
		${empty !== null ? html`<option value="">${empty}</option>` : ''}
		${withCurrent(options, values[name]).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
	</select>`);
	const check = (name) => {
		const err = errors[name];
		return html`<div class=${`field field-check${err ? ' has-error' : ''}`}>
			<input id=${`f-${name}`} name=${name} type="checkbox" checked=${values[name]}
				aria-describedby=${err ? `${name}-error` : undefined} onChange=${(e) => set(name, e.currentTarget.checked)} />
			<label for=${`f-${name}`}>${FIELDS[name].label}</label>
			${err ? html`<p class="field-error" id=${`${name}-error`}>${err}</p>` : ''}
		</div>`;
	};

	const title = editing ? `Edit ${record.full_name}` : 'New person';
	return html`<section class="page">
		<p class="back"><a href=${back}>← ${editing ? record.full_name : 'People'}</a></p>
		<${PageTitle} sub=${editing ? `Record version ${record.version}. Only the fields you change are sent.` : 'Fields marked * are required.'}>${title}<//>

		${stale ? html`<div class="alert alert-warn" role="alert">
			<p><strong>Someone else changed this person</strong> after you opened the form, so your changes were not saved.</p>
			<button type="button" class="btn" onClick=${reload}>Reload their version</button>
		</div>` : ''}
		${notice ? html`<p class="alert alert-info" role="status">${notice}</p>` : ''}
		<${ErrorBox} error=${formError} />

		<form ref=${form} class="person-form" onSubmit=${submit} noValidate>
			<fieldset>
				<legend>Identity</legend>
				<div class="form-grid">
					${text('given_name')}${text('family_name')}
					${date('date_of_birth')}
					${select('gender', GENDERS, 'Not recorded')}
					${field('nationality', (a) => html`<div class="with-aside">
						<input ...${a} type="text" maxlength="2" autocomplete="off" spellcheck="false" class="input-code"
							value=${values.nationality} onInput=${(e) => set('nationality', e.currentTarget.value.toUpperCase())} />
						<span class="aside muted" aria-live="polite">${values.nationality.length === 2 && countryName(values.nationality) !== values.nationality ? countryName(values.nationality) : ''}</span>
					</div>`)}
				</div>
				${check('host_national')}${check('permanent_resident')}
			</fieldset>
			<fieldset>
				<legend>Post and status</legend>
				<div class="form-grid">
					${select('post_id', posts.map((p) => [String(p.id), p.name]), values.post_id ? null : 'Choose a post')}
					${select('category', categories.map((c) => [c.code, c.label]), values.category ? null : 'Choose a category')}
					${text('position')}
					${select('clearance', CLEARANCES.map((c) => [c, c]), 'None')}
					${date('notified_on')}${date('arrived_on')}${date('functions_end_on')}
				</div>
			</fieldset>
			<fieldset>
				<legend>Contact</legend>
				<p class="hint">Contact details are stored encrypted.</p>
				<div class="form-grid">${text('email')}${text('phone')}</div>
			</fieldset>
			<fieldset>
				<legend>Household</legend>
				<div class="form-grid">
					${select('household_of', principals.map((p) => [String(p.id), `${p.full_name}${p.category_label ? ` (${p.category_label})` : ''}`]), 'Not a household member')}
					${values.household_of ? select('relationship', RELATIONSHIPS, 'Not recorded') : ''}
				</div>
			</fieldset>
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy || stale}>
					${busy ? 'Saving…' : editing ? 'Save changes' : 'Create person'}
				</button>
				<a class="btn btn-ghost" href=${back}>Cancel</a>
				${editing && changed.length ? html`<span class="muted">${changed.length} field${changed.length === 1 ? '' : 's'} changed</span>` : ''}
			</div>
		</form>
	</section>`;
}

// Keep a stored value selectable even if it is not among the known options.
function withCurrent(options, current) {
	if (!current || options.some(([v]) => v === current)) return options;
	return [[current, current], ...options];
}

// People of the post who can head a household: not themselves household members.
function usePrincipals(postId, selfId) {
	const [list, setList] = useState([]);
	useEffect(() => {
		if (!postId) return undefined;
		let live = true;
		(async () => {
			const out = [];
			let cursor = null;
			for (let page = 0; page < 10; page++) {
				const r = await api.people({ post_id: postId, limit: 50, cursor });
				out.push(...(r.items || []));
				cursor = r.next_cursor;
				if (!cursor) break;
			}
			return out;
		})().then(
			(all) => live && setList(all
				.filter((p) => !p.household_of && String(p.id) !== String(selfId))
				.sort((a, b) => a.full_name.localeCompare(b.full_name))),
			() => live && setList([]),
		);
		return () => {
			live = false;
		};
	}, [postId, selfId]);
	return list;
}
