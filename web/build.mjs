#!/usr/bin/env node
// build.mjs — bundle the console into one directory that the C build embeds.
//
//   node web/build.mjs OUTDIR [--sourcemap]
//
// Writes OUTDIR/app.js (src/main.js and its imports: ES2020, minified, one
// file) and copies src/index.html, src/app.css and every src/*.svg beside it.
// Works from any working directory; OUTDIR is taken relative to it.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const args = process.argv.slice(2);
const sourcemap = args.includes('--sourcemap');
const positional = args.filter((a) => !a.startsWith('--'));

if (positional.length !== 1) {
	console.error('usage: node web/build.mjs OUTDIR [--sourcemap]');
	process.exit(2);
}
const out = resolve(positional[0]);

try {
	await mkdir(out, { recursive: true });
	// The C build embeds every file of OUTDIR: leave no stale map behind.
	if (!sourcemap) await rm(join(out, 'app.js.map'), { force: true });

	await build({
		absWorkingDir: here,
		entryPoints: [join(src, 'main.js')],
		outfile: join(out, 'app.js'),
		bundle: true,
		format: 'esm',
		target: 'es2020',
		platform: 'browser',
		minify: true,
		sourcemap: sourcemap ? 'linked' : false,
		legalComments: 'none',
		charset: 'utf8',
		logLevel: 'warning',
	});

	const assets = (await readdir(src)).filter(
		(f) => f === 'index.html' || f === 'app.css' || f.endsWith('.svg'),
	);
	for (const f of assets) await copyFile(join(src, f), join(out, f));
	console.log(`console built in ${out}: app.js, ${assets.join(', ')}`);
} catch (err) {
	console.error(`build failed: ${err.message}`);
	process.exit(1);
}
