/*
 * heatmap.c — the 5 x 5 risk heat map as an SVG document made on the
 * server: likelihood up the side (rare .. almost certain), impact along
 * the bottom (negligible .. severe), each cell coloured by its band and
 * labelled with the band's name and the counts of risks whose inherent
 * and residual positions fall in it, so that nothing is said by colour
 * alone.  The document carries a title and a description for screen
 * readers, and each cell a title of its own.
 */
#include <stdio.h>
#include <string.h>

#include "risks/risks.h"

#define CELL_W 112
#define CELL_H 64
#define LEFT 150
#define TOP 56
#define GRID_W (5 * CELL_W)
#define GRID_H (5 * CELL_H)
#define WIDTH (LEFT + GRID_W + 20)
#define HEIGHT (TOP + GRID_H + 118)

/* Fill and text colours per band: light fills, dark text (contrast >= 7). */
static const char *const band_fill[] = {
    "#d8efd8", "#fcefc0", "#fbd3b0", "#f4b8b8"};
static const char *const band_name[] = {"Low", "Medium", "High", "Critical"};

void
ch_heatmap_count(const struct ch_risk *risks, size_t n,
    const struct ch_risk_bands *bands, struct ch_heatmap *out)
{
	memset(out, 0, sizeof(*out));
	out->bands = *bands;
	for (size_t i = 0; i < n; i++) {
		const struct ch_risk *r = &risks[i];
		int rl, ri;

		if (r->likelihood < 1 || r->likelihood > 5 || r->impact < 1 ||
		    r->impact > 5)
			continue;
		out->inherent[r->likelihood - 1][r->impact - 1]++;
		ch_risk_residual(r, false, &rl, &ri);
		out->residual[rl - 1][ri - 1]++;
	}
}

/* Append s with XML's five special characters escaped. */
static ch_err
append_escaped(struct ch_buf *b, const char *s)
{
	ch_err err = CH_OK;

	for (; s != NULL && *s != '\0' && err == CH_OK; s++) {
		switch (*s) {
		case '&':
			err = ch_buf_append(b, "&amp;", 5);
			break;
		case '<':
			err = ch_buf_append(b, "&lt;", 4);
			break;
		case '>':
			err = ch_buf_append(b, "&gt;", 4);
			break;
		case '"':
			err = ch_buf_append(b, "&quot;", 6);
			break;
		case '\'':
			err = ch_buf_append(b, "&apos;", 6);
			break;
		default:
			err = ch_buf_append(b, s, 1);
		}
	}
	return err;
}

ch_err
ch_heatmap_svg(const struct ch_heatmap *h, const char *title, struct ch_buf *b)
{
	int total_in = 0, total_res = 0;
	ch_err err = CH_OK;

	for (int l = 0; l < 5; l++)
		for (int i = 0; i < 5; i++) {
			total_in += h->inherent[l][i];
			total_res += h->residual[l][i];
		}
#define OUT(...)                                                               \
	do {                                                                   \
		if ((err = ch_buf_appendf(b, __VA_ARGS__)) != CH_OK)           \
			return err;                                            \
	} while (0)
	OUT("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-labelledby=\"hm-title hm-desc\" "
	    "font-family=\"sans-serif\">\n<title id=\"hm-title\">",
	    WIDTH, HEIGHT, WIDTH, HEIGHT);
	if ((err = append_escaped(b, title)) != CH_OK)
		return err;
	OUT("</title>\n<desc id=\"hm-desc\">A 5 by 5 risk matrix: likelihood "
	    "from rare (1) to almost certain (5) up the side, impact from "
	    "negligible (1) to severe (5) along the bottom; score = "
	    "likelihood x impact. Bands: low 1-%d, medium %d-%d, high "
	    "%d-%d, critical %d-25. Each cell gives its band and how many "
	    "risks sit there before controls (I, inherent: %d in all) and "
	    "after controls in place (R, residual: %d in all).</desc>\n",
	    h->bands.low_max, h->bands.low_max + 1, h->bands.medium_max,
	    h->bands.medium_max + 1, h->bands.high_max, h->bands.high_max + 1,
	    total_in, total_res);
	OUT("<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\" "
	    "fill=\"#1a1a1a\">",
	    LEFT);
	if ((err = append_escaped(b, title)) != CH_OK)
		return err;
	OUT("</text>\n");
	for (int l = 5; l >= 1; l--) {
		int y = TOP + (5 - l) * CELL_H;

		OUT("<text class=\"axis\" x=\"%d\" y=\"%d\" font-size=\"12\" "
		    "text-anchor=\"end\" fill=\"#1a1a1a\">%d %s</text>\n",
		    LEFT - 8, y + CELL_H / 2 + 4, l, ch_likelihood_label(l));
		for (int i = 1; i <= 5; i++) {
			int x = LEFT + (i - 1) * CELL_W;
			int score = l * i;
			enum ch_band band = ch_risk_band_of(&h->bands, score);
			int ni = h->inherent[l - 1][i - 1];
			int nr = h->residual[l - 1][i - 1];

			OUT("<g class=\"cell\" data-likelihood=\"%d\" "
			    "data-impact=\"%d\" data-score=\"%d\" "
			    "data-band=\"%s\" data-inherent=\"%d\" "
			    "data-residual=\"%d\">\n"
			    "<title>Likelihood %d (%s) x impact %d (%s) = %d, "
			    "%s: %d inherent, %d residual</title>\n",
			    l, i, score, ch_band_code(band), ni, nr, l,
			    ch_likelihood_label(l), i, ch_impact_label(i),
			    score, ch_band_code(band), ni, nr);
			OUT("<rect x=\"%d\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" "
			    "fill=\"%s\" stroke=\"#555\" "
			    "stroke-width=\"1\"/>\n",
			    x, y, CELL_W, CELL_H, band_fill[band]);
			OUT("<text x=\"%d\" y=\"%d\" font-size=\"10\" "
			    "fill=\"#333\">%s %d</text>\n",
			    x + 5, y + 13, band_name[band], score);
			OUT("<text x=\"%d\" y=\"%d\" font-size=\"14\" "
			    "fill=\"#1a1a1a\"%s>I %d</text>\n",
			    x + 10, y + 38,
			    ni > 0 ? " font-weight=\"bold\"" : "", ni);
			OUT("<text x=\"%d\" y=\"%d\" font-size=\"14\" "
			    "fill=\"#1a1a1a\"%s>R %d</text>\n</g>\n",
			    x + 60, y + 38,
			    nr > 0 ? " font-weight=\"bold\"" : "", nr);
		}
	}
	for (int i = 1; i <= 5; i++)
		OUT("<text class=\"axis\" x=\"%d\" y=\"%d\" font-size=\"12\" "
		    "text-anchor=\"middle\" fill=\"#1a1a1a\">%d %s</text>\n",
		    LEFT + (i - 1) * CELL_W + CELL_W / 2, TOP + GRID_H + 18, i,
		    ch_impact_label(i));
	OUT("<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" "
	    "fill=\"#1a1a1a\">Impact</text>\n",
	    LEFT + GRID_W / 2, TOP + GRID_H + 38);
	OUT("<text x=\"18\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" "
	    "fill=\"#1a1a1a\" transform=\"rotate(-90 18 %d)\">Likelihood"
	    "</text>\n",
	    TOP + GRID_H / 2, TOP + GRID_H / 2);
	for (int k = 0; k < 4; k++) {
		int x = LEFT + k * 140, y = TOP + GRID_H + 58;
		int lo = k == 0 ? 1
		    : k == 1    ? h->bands.low_max + 1
		    : k == 2    ? h->bands.medium_max + 1
				: h->bands.high_max + 1;
		int hi = k == 0 ? h->bands.low_max
		    : k == 1    ? h->bands.medium_max
		    : k == 2    ? h->bands.high_max
				: 25;

		OUT("<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" "
		    "fill=\"%s\" stroke=\"#555\"/>\n<text x=\"%d\" y=\"%d\" "
		    "font-size=\"12\" fill=\"#1a1a1a\">%s %d-%d</text>\n",
		    x, y, band_fill[k], x + 22, y + 13, band_name[k], lo, hi);
	}
	OUT("<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1a1a1a\">"
	    "I = inherent (before controls), R = residual (controls in "
	    "place)</text>\n</svg>\n",
	    LEFT, TOP + GRID_H + 96);
#undef OUT
	return err;
}
