// pages/notbuilt.js — honest placeholders for the capabilities still to come.
import { html, PageTitle } from '../ui.js';

export const NOT_BUILT = {
	safety: {
		title: 'Staff safety',
		what: 'file trip plans, check in from a phone (with a duress code that raises a silent alarm), escalate overdue check-ins, and show the accountability board of who is safe, needs help or is unaccounted for.',
	},
	crisis: {
		title: 'Crisis',
		what: 'run the Emergency Action Plan: tripwires that propose actions for the EAC to approve, CAP alerts with delivery and acknowledgement tracking, roll calls and drills.',
	},
	sharing: {
		title: 'Sharing',
		what: 'exchange incidents, threat actors and reports with partners as STIX 2.1 over TAXII 2.1, with TLP and classification enforced on every export.',
	},
	hq: {
		title: 'HQ',
		what: 'show every post side by side at headquarters, and cosign each post’s audit checkpoints as a witness.',
	},
};

export function NotBuiltPage({ which }) {
	const p = NOT_BUILT[which];
	return html`<section class="page">
		<${PageTitle}>${p.title}<//>
		<div class="panel notbuilt">
			<p class="notbuilt-lead"><strong>Not built yet:</strong> this page will ${p.what}</p>
			<p class="muted">Until then, use <a href="#/people">People & status</a>.</p>
		</div>
	</section>`;
}
