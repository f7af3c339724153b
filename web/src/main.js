// main.js — session, hash routing and the shell (top bar and navigation).
//
// Routes live in the fragment (#/people, #/people/<id>) so the server only
// ever serves "/". Anything not signed in sees the login page, and returns
// to the page it asked for after signing in.
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthenticatedHandler } from './api.js';
import { html, clearCache, loadPosts, roleLabel, Loading } from './ui.js';
import { LoginPage } from './pages/login.js';
import { PeoplePage } from './pages/people.js';
import { PersonPage } from './pages/person.js';
import { PersonFormPage } from './pages/person-form.js';
import { PostPage } from './pages/post.js';
import { AccountPage } from './pages/account.js';
import { IncidentPage, IncidentsPage } from './pages/incidents.js';
import { DashboardPage } from './pages/dashboard.js';
import { AssessmentPage } from './pages/assessment.js';
import { IncidentFormPage } from './pages/incident-form.js';
import { NotBuiltPage, NOT_BUILT } from './pages/notbuilt.js';
import { UsersPage } from './pages/users.js';
import { DevicesPage } from './pages/devices.js';
import { AuditPage } from './pages/audit.js';
import {
	ActorPage, ActorsPage, IntelReportFormPage, IntelReportPage, IntelReportsPage, PlacePage, PlacesPage, SourcePage,
	SourcesPage,
} from './pages/intel.js';
import { AccessLogPage, AlarmsPage, OccupancyPage, ToursPage } from './pages/access.js';
import { ScreeningPage } from './pages/screening.js';
import { ReauthDialog } from './reauth.js';
import { RatingsPage } from './pages/ratings.js';
import { RiskFormPage, RiskPage, RisksPage } from './pages/risks.js';
import { VisitorsPage } from './pages/visitors.js';

// Roles that read the post's incidents (the API's incidents.read).
const INCIDENT_READERS = ['security_officer', 'analyst', 'guard', 'eac_member', 'hq'];

// Navigation: every capability of the design, grouped as a desk thinks of them.
const NAV = [
	{ group: 'Status', items: [
		{ path: 'people', label: 'People & status' },
		{ path: 'post', label: 'Post & zones' },
	] },
	{ group: 'Threat & risk', items: [
		{ path: 'dashboard', label: 'Dashboard', roles: INCIDENT_READERS },
		{ path: 'threats', label: 'Threats & incidents' },
		{ path: 'intel', label: 'Intelligence', roles: ['security_officer', 'analyst', 'eac_member', 'hq'] },
		{ path: 'sources', label: 'Source registry', roles: ['security_officer', 'analyst'] },
		{ path: 'ratings', label: 'Threat ratings', roles: ['security_officer', 'analyst', 'eac_member', 'hq'] },
		{ path: 'risks', label: 'Risk register', roles: ['security_officer', 'analyst', 'eac_member', 'hq'] },
		{ path: 'assessment', label: 'Threat assessment', roles: INCIDENT_READERS },
	] },
	{ group: 'Protection', items: [
		{ path: 'facility', label: 'Facility & access', roles: ['security_officer', 'guard', 'hq', 'administrator'] },
		{ path: 'visitors', label: 'Visitors', roles: ['security_officer', 'analyst', 'guard', 'staff', 'eac_member', 'hq'] },
		{ path: 'screening', label: 'Watchlist screening', roles: ['security_officer', 'guard', 'analyst', 'hq', 'administrator'] },
	] },
	{ group: 'Safety & crisis', items: [
		{ path: 'safety', label: 'Staff safety' },
		{ path: 'crisis', label: 'Crisis' },
	] },
	{ group: 'Coordination', items: [
		{ path: 'sharing', label: 'Sharing' },
		{ path: 'hq', label: 'HQ' },
	] },
	{ group: 'System', items: [
		{ path: 'audit', label: 'Audit log', roles: ['security_officer', 'hq', 'administrator'] },
		{ path: 'users', label: 'Users', roles: ['security_officer', 'administrator'] },
		{ path: 'devices', label: 'Device tokens', roles: ['administrator'] },
		{ path: 'account', label: 'Your sessions & security' },
	] },
];

// Pages only some roles can use (the API's permissions): hidden from the
// others, and a page they ask for by address says so.
const PAGE_ROLES = Object.fromEntries(NAV.flatMap((g) => g.items).filter((it) => it.roles).map((it) => [it.path, it.roles]));
const mayUse = (user, path) => !PAGE_ROLES[path] || (user.roles || []).some((r) => PAGE_ROLES[path].includes(r));

// `visit` counts navigations: each one mounts its page afresh, which then
// reads its state (a search, say) from the address.
let visits = 0;
function parseHash() {
	const raw = location.hash.replace(/^#\/?/, '');
	const [path, qs = ''] = raw.split('?');
	const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
	return { parts, params: new URLSearchParams(qs), visit: ++visits };
}

const routeString = (r) => r.parts.map(encodeURIComponent).join('/') + (r.params.toString() ? `?${r.params}` : '');

function useRoute() {
	const [route, setRoute] = useState(parseHash);
	useEffect(() => {
		const on = () => setRoute(parseHash());
		addEventListener('hashchange', on);
		// The hash may have changed before we listened.
		setRoute((r) => (location.hash.replace(/^#\/?/, '') === routeString(r) ? r : parseHash()));
		return () => removeEventListener('hashchange', on);
	}, []);
	return route;
}

// ---- theme: dark by default (a night desk), light on request --------------

function initialTheme() {
	try {
		return localStorage.getItem('chancery-theme') || 'dark';
	} catch {
		return 'dark';
	}
}
function applyTheme(t) {
	document.documentElement.dataset.theme = t;
	try {
		localStorage.setItem('chancery-theme', t);
	} catch {
		/* private mode: the choice lasts this page only */
	}
}
applyTheme(initialTheme());

// ---- the shell ---------------------------------------------------------------

function Page({ route, user }) {
	const [first, second, third] = route.parts;
	// The first page: the dashboard for those who read incidents.
	const home = (user.roles || []).some((r) => INCIDENT_READERS.includes(r)) ? 'dashboard' : 'people';
	if (!first) history.replaceState(null, '', `#/${home}`);
	if (!first && home === 'dashboard') return html`<${DashboardPage} user=${user} />`;
	if (!first || first === 'people') {
		if (!second) return html`<${PeoplePage} params=${route.params} user=${user} />`;
		if (second === 'new') return html`<${PersonFormPage} user=${user} />`;
		if (third === 'edit') return html`<${PersonFormPage} id=${second} user=${user} />`;
		return html`<${PersonPage} id=${second} user=${user} />`;
	}
	if (first === 'post') return html`<${PostPage} user=${user} />`;
	if (first === 'account') return html`<${AccountPage} />`;
	if (!mayUse(user, first)) {
		return html`<section class="page">
			<h1 id="page-title" tabindex="-1">Not for your role</h1>
			<p>Your role cannot use this page.</p>
			<p><a href="#/people">Go to People & status</a></p>
		</section>`;
	}
	if (first === 'users') return html`<${UsersPage} user=${user} />`;
	if (first === 'devices') return html`<${DevicesPage} user=${user} />`;
	if (first === 'audit') return html`<${AuditPage} user=${user} />`;
	if (first === 'dashboard') return html`<${DashboardPage} user=${user} />`;
	if (first === 'assessment') return html`<${AssessmentPage} user=${user} />`;
	if (first === 'threats') {
		if (!second) return html`<${IncidentsPage} params=${route.params} user=${user} />`;
		if (second === 'new') return html`<${IncidentFormPage} user=${user} />`;
		return html`<${IncidentPage} id=${second} user=${user} />`;
	}
	if (first === 'intel') {
		const fourth = route.parts[3];
		if (!second) return html`<${IntelReportsPage} params=${route.params} user=${user} />`;
		if (second === 'new') return html`<${IntelReportFormPage} user=${user} />`;
		if (second === 'reports' && third && fourth === 'edit') return html`<${IntelReportFormPage} id=${third} user=${user} />`;
		if (second === 'reports' && third) return html`<${IntelReportPage} id=${third} user=${user} />`;
		if (second === 'actors') return third ? html`<${ActorPage} id=${third} />` : html`<${ActorsPage} params=${route.params} user=${user} />`;
		if (second === 'places') return third ? html`<${PlacePage} id=${third} />` : html`<${PlacesPage} params=${route.params} user=${user} />`;
	}
	if (first === 'sources') return second ? html`<${SourcePage} id=${second} user=${user} />` : html`<${SourcesPage} user=${user} />`;
	if (first === 'ratings') return html`<${RatingsPage} user=${user} />`;
	if (first === 'risks') {
		if (!second) return html`<${RisksPage} params=${route.params} user=${user} />`;
		if (second === 'new') return html`<${RiskFormPage} user=${user} />`;
		if (third === 'edit') return html`<${RiskFormPage} id=${second} user=${user} />`;
		return html`<${RiskPage} id=${second} user=${user} />`;
	}
	if (first === 'facility') {
		if (second === 'occupancy') return html`<${OccupancyPage} user=${user} />`;
		if (second === 'alarms') return html`<${AlarmsPage} user=${user} />`;
		if (second === 'tours') return html`<${ToursPage} />`;
		return html`<${AccessLogPage} params=${route.params} user=${user} />`;
	}
	if (first === 'screening') return html`<${ScreeningPage} user=${user} tab=${second || ''} id=${third} />`;
	if (first === 'visitors') return html`<${VisitorsPage} user=${user} tab=${second || ''} params=${route.params} />`;
	if (NOT_BUILT[first]) return html`<${NotBuiltPage} which=${first} />`;
	return html`<section class="page">
		<h1 id="page-title" tabindex="-1">Page not found</h1>
		<p>There is no page at <code>#/${route.parts.join('/')}</code>.</p>
		<p><a href="#/people">Go to People & status</a></p>
	</section>`;
}

function TopBar({ user, post, onLogout, menuOpen, setMenuOpen, theme, setTheme }) {
	return html`<header class="topbar">
		<button type="button" class="menu-btn" aria-label="Menu" aria-expanded=${menuOpen ? 'true' : 'false'}
			aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>
			<span class="menu-icon" aria-hidden="true"></span><span class="menu-label">Menu</span>
		</button>
		<a class="brand" href="#/people" aria-label="Chancery: People & status">
			<img src="/favicon.svg" alt="" width="22" height="22" />
			<span>Chancery</span>
		</a>
		<span class="post-name" title="Post">${post ? post.name : ''}</span>
		<div class="topbar-end">
			<${Who} user=${user} />
			<${ThemeButton} theme=${theme} setTheme=${setTheme} className="theme-btn" />
			<button type="button" class="btn btn-small" onClick=${onLogout}>Sign out</button>
		</div>
	</header>`;
}

function Who({ user }) {
	const roles = (user.roles || []).map(roleLabel).join(', ');
	return html`<span class="who">
		<span class="who-name">${user.display_name || user.username}</span>
		<span class="who-role">${roles}${user.clearance ? ` · ${user.clearance}` : ''}</span>
	</span>`;
}

function ThemeButton({ theme, setTheme, className = '' }) {
	return html`<button type="button" class=${`btn btn-ghost btn-small ${className}`}
		onClick=${() => setTheme(theme === 'dark' ? 'light' : 'dark')}
		aria-label=${theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}>
		${theme === 'dark' ? 'Light' : 'Dark'}
	</button>`;
}

function Nav({ current, open, onNavigate, user, theme, setTheme }) {
	return html`<nav id="nav" class=${open ? 'nav open' : 'nav'} aria-label="Main">
		<div class="nav-user"><${Who} user=${user} /><${ThemeButton} theme=${theme} setTheme=${setTheme} /></div>
		${NAV.map((g) => html`<div class="nav-group" key=${g.group}>
			<h2 class="nav-heading">${g.group}</h2>
			<ul>
				${g.items.filter((it) => mayUse(user, it.path)).map((it) => html`<li key=${it.path}>
					<a href=${`#/${it.path}`} aria-current=${current === it.path ? 'page' : undefined}
						class=${NOT_BUILT[it.path] ? 'nav-later' : undefined}
						onClick=${onNavigate}>
						${it.label}${NOT_BUILT[it.path] ? html`<span class="nav-soon">not built</span>` : ''}
					</a>
				</li>`)}
			</ul>
		</div>`)}
	</nav>`;
}

const PRIVILEGED = ['security_officer', 'administrator', 'hq', 'eac_member'];

// A privileged user without a second factor, where the post makes it
// optional (the demo): say so on every page.
function SecondFactorBanner({ session }) {
	const sf = session.second_factor;
	if (!sf || sf.enrolled || !(session.user.roles || []).some((r) => PRIVILEGED.includes(r))) return '';
	return html`<p class="alert alert-warn banner" role="status">
		Your role should use a second factor; this post makes it optional.${' '}
		<a href="#/account">Set up an authenticator app</a>.
	</p>`;
}

function Shell({ session, onLogout }) {
	const user = session.user;
	const route = useRoute();
	const [menuOpen, setMenuOpen] = useState(false);
	const [theme, setThemeState] = useState(initialTheme);
	const [post, setPost] = useState(null);
	const main = useRef(null);
	const firstRender = useRef(true);

	useEffect(() => {
		// An HQ account belongs to no post: it sees them all.
		if (user.post_id === null || user.post_id === undefined) {
			setPost({ name: 'All posts' });
			return;
		}
		loadPosts()
			.then((posts) => setPost(posts.find((p) => String(p.id) === String(user.post_id)) || null))
			.catch(() => setPost(null));
	}, [user.id]);

	// After navigation, start keyboard focus and reading at the new page.
	const key = route.parts.join('/');
	useEffect(() => {
		if (firstRender.current) {
			firstRender.current = false;
			return;
		}
		setMenuOpen(false);
		if (main.current) main.current.focus({ preventScroll: false });
		scrollTo(0, 0);
	}, [key]);

	useEffect(() => {
		if (!menuOpen) return undefined;
		const onKey = (e) => e.key === 'Escape' && setMenuOpen(false);
		addEventListener('keydown', onKey);
		return () => removeEventListener('keydown', onKey);
	}, [menuOpen]);

	const setTheme = (t) => {
		applyTheme(t);
		setThemeState(t);
	};

	return html`<div class="shell">
		<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); main.current && main.current.focus(); }}>
			Skip to content
		</a>
		<${TopBar} user=${user} post=${post} onLogout=${onLogout}
			menuOpen=${menuOpen} setMenuOpen=${setMenuOpen} theme=${theme} setTheme=${setTheme} />
		<div class="body">
			<${Nav} current=${route.parts[0] || 'people'} open=${menuOpen} onNavigate=${() => setMenuOpen(false)}
				user=${user} theme=${theme} setTheme=${setTheme} />
			${menuOpen ? html`<div class="scrim" onClick=${() => setMenuOpen(false)}></div>` : ''}
			<main id="main" ref=${main} tabindex="-1">
				<${SecondFactorBanner} session=${session} />
				<${Page} key=${route.visit} route=${route} user=${user} />
			</main>
			<${ReauthDialog} needsCode=${!!(session.second_factor && session.second_factor.enrolled)} />
		</div>
	</div>`;
}

function App() {
	// undefined: asking the server; null: signed out; object: the session.
	const [session, setSession] = useState(undefined);
	const [notice, setNotice] = useState('');

	const signedOut = useCallback((message = '') => {
		setCsrfToken(null);
		clearCache();
		setNotice(message);
		setSession(null);
	}, []);

	useEffect(() => {
		setUnauthenticatedHandler(() => signedOut('Your session has ended. Please sign in again.'));
		api.session().then(
			(s) => {
				setCsrfToken(s.csrf_token);
				// A sign-in left half-way starts again at the password.
				if (s.stage && s.stage !== 'full') signedOut();
				else setSession(s);
			},
			(err) => {
				if (err.status === 401) signedOut();
				else signedOut(err.message);
			},
		);
	}, []);

	const onLogin = (s) => {
		setCsrfToken(s.csrf_token);
		setNotice('');
		// The full session (with the second-factor state) from the server.
		api.session().then((full) => setSession(full), () => setSession(s));
	};

	const onLogout = async () => {
		try {
			await api.logout();
		} catch {
			/* the session is gone either way */
		}
		signedOut('You are signed out.');
	};

	if (session === undefined) return html`<div class="boot"><${Loading} what="Checking your session" /></div>`;
	if (session === null) return html`<${LoginPage} onLogin=${onLogin} notice=${notice} />`;
	return html`<${Shell} session=${session} onLogout=${onLogout} />`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
