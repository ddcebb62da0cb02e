// report.html: one self-contained page drawn from a Report -- headline figures, the stage
// table, accuracy vs size and vs latency (every trial a point, the chosen one marked), size and
// latency before / after, per-layer sparsity and bit-width bars, per-layer sensitivity curves,
// and the per-layer table of what the plan runs. Inline CSS and SVG only: no script, no network.
#pragma once
#include <string>

#include "compress/report.h"

namespace prunq::compress {

std::string render_report_html(const Report& r);

// Ids of the page's plots, in page order (the rendering test checks each is drawn).
const char* const kReportPlotIds[] = {"plot-accuracy-size", "plot-accuracy-latency", "plot-size-stages",
                                      "plot-latency-before-after", "plot-layer-sparsity", "plot-layer-bits",
                                      "plot-sensitivity"};

// The figures the page leads with, as it prints them ("43.2x", "91.84 %", ...).
struct Headline {
  std::string size_ratio;       // "43.2x smaller"
  std::string accuracy;         // "91.84 %"
  std::string drop;             // "-0.42 pt"
  std::string latency_speedup;  // "2.31x faster" (at the headline batch), or "" when not measured
};
Headline report_headline(const Report& r);

// Human units: "1.70 MiB", "40.1 KiB", "1.23 M".
std::string format_bytes(double bytes);
std::string format_count(double n);

}  // namespace prunq::compress
