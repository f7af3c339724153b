// totp.mjs — RFC 6238 codes for the tests, with node:crypto's HMAC-SHA-1.
import { createHmac } from 'node:crypto';

export function base32Decode(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const c of s.replace(/=+$/, '').toUpperCase()) {
		const i = alphabet.indexOf(c);
		if (i < 0) throw new Error(`not base32: ${c}`);
		value = (value << 5) | i;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export function hotp(key, counter, digits = 6) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const h = createHmac('sha1', key).update(msg).digest();
	const o = h[h.length - 1] & 0xf;
	const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
	return String(n % 10 ** digits).padStart(digits, '0');
}

// The code of a base32 secret at a step offset from now (0, -1, +1).
export function totp(secretB32, offset = 0, now = Date.now()) {
	return hotp(base32Decode(secretB32), Math.floor(now / 1000 / 30) + offset);
}
