// audit-verify.js — checks the audit log in the browser, trusting nothing the
// server says about it but the records themselves (docs/audit.md):
//
//   leaf  = SHA-256(0x00 || entry)     entry: "name=value\n" per field
//   node  = SHA-256(0x01 || left || right)
//   root  = RFC 9162 MTH over the leaves, split at the largest power of two
//           smaller than n
//
// and the inclusion proof of one record (RFC 9162 §2.1.3.2), and the
// checkpoint's Ed25519 signature (C2SP signed note) when the reader gives
// the post's verifier key (audit.pub) and the browser has WebCrypto Ed25519.
// Sizes are plain numbers: bit operations hold to 2^31 records.

const subtle = globalThis.crypto && globalThis.crypto.subtle;
const utf8 = new TextEncoder();

async function sha256(...parts) {
	let n = 0;
	for (const p of parts) n += p.length;
	const buf = new Uint8Array(n);
	let at = 0;
	for (const p of parts) {
		buf.set(p, at);
		at += p.length;
	}
	return new Uint8Array(await subtle.digest('SHA-256', buf));
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);
const nodeHash = (left, right) => sha256(NODE, left, right);

export const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const toB64 = (b) => btoa(String.fromCharCode(...b));
export function fromB64(s) {
	const bin = atob(s);
	return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// ---- leaves -----------------------------------------------------------------

const FIELDS = [
	['seq', 'seq'], ['time', 'time'], ['actor', 'actor'], ['post', 'post_id'], ['action', 'action'],
	['object_type', 'object_type'], ['object_id', 'object_id'], ['request_id', 'request_id'],
	['source', 'source'], ['state_hash', 'state_hash'],
];
const escapeValue = (v) => String(v ?? '').replace(/[%\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

// The entry text of a record as the API returns it.
export const entryText = (rec) => FIELDS.map(([name, key]) => `${name}=${escapeValue(rec[key])}\n`).join('');

export const leafHash = (rec) => sha256(LEAF, utf8.encode(entryText(rec)));

// ---- the tree ---------------------------------------------------------------

// RFC 9162 MTH(D[lo:hi]).
async function subtreeRoot(leaves, lo, hi) {
	const n = hi - lo;
	if (n === 1) return leaves[lo];
	let k = 1;
	while (k * 2 < n) k *= 2;
	return nodeHash(await subtreeRoot(leaves, lo, lo + k), await subtreeRoot(leaves, lo + k, hi));
}

export async function treeRoot(leaves) {
	if (leaves.length === 0) return sha256();
	return subtreeRoot(leaves, 0, leaves.length);
}

// RFC 9162 §2.1.3.2: does `proof` lead from `leaf` at `index` to `root` in a
// tree of `size` leaves?
export async function verifyInclusion(index, size, leaf, proof, root) {
	if (index >= size) return false;
	let fn = index;
	let sn = size - 1;
	let r = leaf;
	for (const p of proof) {
		if (sn === 0) return false;
		if (fn & 1 || fn === sn) {
			r = await nodeHash(p, r);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn !== 0) {
					fn >>>= 1;
					sn >>>= 1;
				}
			}
		} else {
			r = await nodeHash(r, p);
		}
		fn >>>= 1;
		sn >>>= 1;
	}
	return sn === 0 && same(r, root);
}

// ---- the signed note ----------------------------------------------------------

// { text (the signed part), origin, size, root, signatures: [{name, keyId, sig}] }
export function parseNote(note) {
	const split = note.indexOf('\n\n');
	if (split < 0) throw new Error('The checkpoint has no signature block.');
	const text = note.slice(0, split + 1);
	const [origin, size, root] = text.split('\n');
	const signatures = [];
	for (const line of note.slice(split + 2).split('\n')) {
		const m = /^\u2014 (\S+) (\S+)$/.exec(line);
		if (!m) continue;
		const raw = fromB64(m[2]);
		if (raw.length === 68) signatures.push({ name: m[1], keyId: raw.slice(0, 4), sig: raw.slice(4) });
	}
	return { text, origin, size: Number(size), root: fromB64(root), signatures };
}

// "<name>+<hex key id>+<base64(0x01 || public key)>" → { name, keyId, pub }.
export function parseVerifierKey(vkey) {
	// The base64 part may itself hold '+': split at the first two only.
	const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
	if (!m) throw new Error('A verifier key reads name+8 hex digits+base64, as in audit.pub.');
	const raw = fromB64(m[3]);
	if (raw.length !== 33 || raw[0] !== 1) throw new Error('The verifier key is not an Ed25519 key.');
	return { name: m[1], keyId: m[2], pub: raw.slice(1) };
}

export const ed25519Available = async () => {
	try {
		await subtle.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, ['verify']);
		return true;
	} catch {
		return false;
	}
};

// 'verified', or throws saying what is wrong ('unsupported' errors carry
// .unsupported = true).
export async function verifyNoteSignature(note, vkeyText) {
	const vkey = parseVerifierKey(vkeyText);
	const n = parseNote(note);
	const id = (await sha256(utf8.encode(vkey.name), Uint8Array.of(0x0a, 0x01), vkey.pub)).slice(0, 4);
	if (toHex(id) !== vkey.keyId) throw new Error('The verifier key’s id does not match its name and key.');
	const sig = n.signatures.find((s) => s.name === vkey.name && same(s.keyId, id));
	if (!sig) throw new Error(`The checkpoint carries no signature by ${vkey.name}.`);
	let key;
	try {
		key = await subtle.importKey('raw', vkey.pub, { name: 'Ed25519' }, false, ['verify']);
	} catch {
		const e = new Error('This browser cannot check Ed25519 signatures (WebCrypto has no Ed25519 here); use `chancery audit verify`.');
		e.unsupported = true;
		throw e;
	}
	if (!(await subtle.verify({ name: 'Ed25519' }, key, sig.sig, utf8.encode(n.text)))) {
		throw new Error(`The signature by ${vkey.name} does not verify: the checkpoint is not signed by this key.`);
	}
	return 'verified';
}

// ---- the whole check ----------------------------------------------------------

// Fetch records 1..checkpoint.size through `fetchPage(from, limit)` (the
// API's records route), recompute every leaf, and the root. Returns
// { ok, checked, redacted, size, message, failedSeq? }. onProgress(n) as it goes.
export async function verifyLog(checkpoint, fetchPage, onProgress = () => {}) {
	// Trust the signed text, not the JSON fields beside it.
	const note = parseNote(checkpoint.note);
	if (note.size !== checkpoint.size || toB64(note.root) !== checkpoint.root_hash) {
		return { ok: false, message: 'The checkpoint’s size or root hash differs from its signed note.' };
	}
	const size = note.size;
	const leaves = [];
	let redacted = 0;
	let from = 1;
	while (leaves.length < size) {
		const page = await fetchPage(from, Math.min(1000, size - leaves.length));
		const items = page.items || [];
		if (items.length === 0) break;
		for (const rec of items) {
			if (rec.seq > size) break;
			if (rec.seq !== leaves.length + 1) {
				return { ok: false, failedSeq: leaves.length + 1, message: `Record ${leaves.length + 1} is missing: the log jumps to ${rec.seq}.` };
			}
			if (rec.redacted) {
				// Another post's record: only its leaf hash is shown to us.
				redacted++;
				leaves.push(Uint8Array.from(rec.leaf_hash.match(/../g), (h) => parseInt(h, 16)));
				continue;
			}
			const leaf = await leafHash(rec);
			if (toHex(leaf) !== rec.leaf_hash) {
				return { ok: false, failedSeq: rec.seq, message: `Record ${rec.seq}: its leaf hash does not match its content.` };
			}
			leaves.push(leaf);
		}
		onProgress(leaves.length);
		from = leaves.length + 1;
	}
	if (leaves.length < size) {
		return { ok: false, message: `The checkpoint covers ${size} records but the log returned only ${leaves.length}: records were removed.` };
	}
	const root = await treeRoot(leaves);
	if (!same(root, note.root)) {
		return { ok: false, message: `The root of records 1–${size} does not match checkpoint ${size}: a record was changed, inserted or removed.` };
	}
	return { ok: true, checked: size - redacted, redacted, size, leaves, root };
}
