// ui.js — shared pieces: the html tag, words for codes, small components,
// and a cache for reference data (posts, staff categories).
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';

export const html = htm.bind(h);

// ---- words -------------------------------------------------------------

export const ROLE_LABELS = {
	security_officer: 'Security officer',
	analyst: 'Analyst',
	guard: 'Guard',
	staff: 'Staff',
	eac_member: 'EAC member',
	hq: 'HQ desk',
	administrator: 'Administrator',
};
export const roleLabel = (r) => ROLE_LABELS[r] || r;

export const CLEARANCES = ['UNCLASSIFIED', 'SBU', 'CONFIDENTIAL', 'SECRET'];

export const ARREST_WORDS = {
	never: 'May not be arrested or detained',
	grave_crime_only: 'Arrest only for a grave crime, on a judicial decision',
	allowed: 'May be arrested',
};
export const LEVEL_WORDS = {
	full: 'Immune',
	official_acts: 'Immune for official acts only',
	none: 'Not immune',
	as_admitted: 'Only as the host state admits',
};
const LEVEL_SHORT = {
	full: 'Immune',
	official_acts: 'Official acts',
	none: 'Not immune',
	as_admitted: 'As admitted',
};
const ARREST_SHORT = { never: 'no arrest', grave_crime_only: 'arrest: grave crime' };

export const canEditPeople = (user) =>
	!!user && (user.roles || []).some((r) => r === 'security_officer' || r === 'administrator');

// "HU" → "Hungary" from the browser's own data, no network needed.
let regionNames = null;
export function countryName(code) {
	if (!code) return '';
	try {
		regionNames = regionNames || new Intl.DisplayNames(['en'], { type: 'region' });
		const name = regionNames.of(String(code).toUpperCase());
		return name && name !== code ? name : code;
	} catch {
		return code;
	}
}

// Dates arrive as "2026-11-25" or ISO 8601 times; show them unambiguously.
export function fmtDate(s) {
	if (!s) return '';
	const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
	if (Number.isNaN(d.getTime())) return s;
	return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
export function fmtTime(s) {
	if (!s) return '';
	const d = new Date(s);
	if (Number.isNaN(d.getTime())) return s;
	return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// ---- reference data, loaded once per session ----------------------------

const cache = new Map();
export function cached(key, load) {
	if (!cache.has(key)) {
		const p = load().catch((err) => {
			cache.delete(key);
			throw err;
		});
		cache.set(key, p);
	}
	return cache.get(key);
}
export const clearCache = () => cache.clear();

export const loadPosts = () => cached('posts', () => api.posts().then((r) => r.items || []));
export const loadCategories = () =>
	cached('categories', () => api.staffCategories().then((r) => r.items || []));

// A hook: the value of a promise-returning loader, or null while it loads.
export function useLoad(load, deps = []) {
	const [state, setState] = useState({ value: null, error: null });
	useEffect(() => {
		let live = true;
		load().then(
			(value) => live && setState({ value, error: null }),
			(error) => live && setState({ value: null, error }),
		);
		return () => {
			live = false;
		};
	}, deps);
	return state;
}

// ---- components ---------------------------------------------------------

// Whether a profile gives any protection at all (mirrors the server's rule).
export const protects = (im) =>
	!!im && (im.arrest !== 'allowed' || im.tax_exempt_pay || im.residence_inviolable ||
		['criminal', 'civil', 'administrative'].some((k) => im[k] && im[k] !== 'none'));

// Compact badge for a list row: criminal immunity, plus arrest when it
// matters, and a warning when the immunity is not in force.
export function ImmunityBadge({ immunity }) {
	if (!immunity || !immunity.criminal) {
		return html`<span class="badge badge-muted" title="No immunity profile">—</span>`;
	}
	const level = immunity.criminal;
	const arrest = ARREST_SHORT[immunity.arrest];
	const dormant = immunity.in_force === false && (level !== 'none' || immunity.arrest !== 'allowed');
	const full = `${ARREST_WORDS[immunity.arrest] || immunity.arrest}. Criminal jurisdiction: ${
		LEVEL_WORDS[level] || level}.${dormant ? ' Not in force.' : ''}`;
	return html`<span class=${`badge imm-${level}${dormant ? ' imm-dormant' : ''}`} title=${full}>
		${LEVEL_SHORT[level] || level}${arrest ? html`<span class="badge-sub">${arrest}</span>` : ''}
		${dormant ? html`<span class="badge-warn">not in force</span>` : ''}
		<span class="visually-hidden">: ${full}</span>
	</span>`;
}

export function TrainingStatus({ status }) {
	const words = { valid: 'Valid', expiring: 'Expiring soon', expired: 'Expired' };
	return html`<span class=${`badge status-${status}`}>${words[status] || status}</span>`;
}

export function ErrorBox({ error, children }) {
	if (!error && !children) return null;
	return html`<div class="alert alert-error" role="alert">
		${error ? error.message : ''}${children}
	</div>`;
}

export function Loading({ what = 'Loading' }) {
	return html`<p class="loading" role="status">${what}…</p>`;
}

// The page heading takes focus after navigation, so keyboard and screen
// reader users start at the top of the new page.
export function PageTitle({ children, sub }) {
	return html`<header class="page-head">
		<h1 id="page-title" tabindex="-1">${children}</h1>
		${sub ? html`<p class="page-sub">${sub}</p>` : ''}
	</header>`;
}
