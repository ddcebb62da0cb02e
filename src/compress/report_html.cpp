#include "compress/report_html.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "compress/svg_plot.h"

namespace prunq::compress {
namespace {

std::string printf_str(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pct(double fraction) { return std::isfinite(fraction) ? printf_str("%.2f %%", 100 * fraction) : "-"; }
std::string ms(double v) { return std::isfinite(v) ? printf_str("%.3g ms", v) : "-"; }

// Accuracy points below the baseline (positive = lost).
double drop_points(const Report& r, const ModelMeasurement& m) { return 100.0 * (r.baseline.accuracy - m.accuracy); }

std::string signed_drop(double points) {
  if (!std::isfinite(points)) return "-";
  if (std::fabs(points) < 0.005) return "0.00 pt";
  return points >= 0 ? printf_str("-%.2f pt", points) : printf_str("+%.2f pt", -points);
}

double p50(const ModelMeasurement& m, int64_t batch) {
  const LatencyStats* l = m.latency_at(batch);
  return l ? l->p50_ms : kNotMeasured;
}

int bits_of(const std::string& precision) {
  if (precision == "int4") return 4;
  if (precision == "int8" || precision == "uint8") return 8;
  if (precision == "fp16" || precision == "bf16") return 16;
  return 32;
}

const char* kCss = R"(body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:13px}.cards{display:flex;gap:14px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ccd;border-radius:6px;padding:10px 16px;min-width:200px;background:#f7f8fc}
.card .big{font-size:26px;font-weight:bold}.card .small{font-size:12px;color:#555}
.verdict{padding:10px 14px;border-radius:6px;font-weight:bold}.ok{background:#e6f4ea;border:1px solid #8c8}
.over{background:#fdecea;border:1px solid #d88}table{border-collapse:collapse;font-size:12px;margin:6px 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#eef}td.l,th.l{text-align:left}
tr.chosen td{background:#fff3c4;font-weight:bold}.plots{display:grid;grid-template-columns:repeat(2,580px);gap:12px}
.plots svg{border:1px solid #ddd})";

void table_row(std::ostringstream& os, const std::vector<std::string>& cells, const std::string& cls = "",
               size_t left_cols = 1) {
  os << "<tr" << (cls.empty() ? "" : " class=\"" + cls + "\"") << ">";
  for (size_t i = 0; i < cells.size(); ++i)
    os << "<td" << (i < left_cols ? " class=\"l\"" : "") << ">" << xml_escape(cells[i]) << "</td>";
  os << "</tr>\n";
}

void stage_table(std::ostringstream& os, const Report& r) {
  os << "<table id=\"stages\"><tr><th class=\"l\">stage</th><th class=\"l\">what it did</th><th>accuracy</th>"
        "<th>vs input</th><th>file</th><th>smaller</th><th>non-zero params</th><th>MACs</th>"
        "<th>b1 p50 / p90</th><th>b" << r.headline_batch << " p50 / p90</th><th>peak memory</th><th>time</th></tr>\n";
  auto row = [&](const std::string& name, const std::string& what, const ModelMeasurement& m, double seconds) {
    auto lat = [&](int64_t b) {
      const LatencyStats* l = m.latency_at(b);
      return l ? ms(l->p50_ms) + " / " + ms(l->p90_ms) : std::string("-");
    };
    const double ratio = m.file_bytes > 0 ? double(r.baseline.file_bytes) / double(m.file_bytes) : kNotMeasured;
    table_row(os,
              {name, what, pct(m.accuracy), signed_drop(drop_points(r, m)), format_bytes(double(m.file_bytes)),
               std::isfinite(ratio) ? printf_str("%.1fx", ratio) : "-",
               format_count(double(m.nonzero_params)) + " / " + format_count(double(m.params)),
               format_count(double(m.macs)), lat(1), lat(r.headline_batch),
               m.peak_memory_bytes ? format_bytes(double(m.peak_memory_bytes)) : "-",
               std::isfinite(seconds) ? printf_str("%.1f s", seconds) : "-"},
              "", 2);
  };
  row("input", "the model as given", r.baseline, kNotMeasured);
  for (const StageReport& s : r.stages) row(std::to_string(s.index) + " " + s.kind, s.summary, s.after, s.seconds);
  os << "</table>\n";
}

// Accuracy against one measure of cost (file size or latency): trials, stages, the budget line
// and the chosen model.
std::string tradeoff_plot(const Report& r, const std::string& id, const std::string& title, const std::string& x_label,
                          bool log_x, double (*x_of_measure)(const Report&, const ModelMeasurement&),
                          double (*x_of_trial)(const TrialReport&)) {
  const auto& pal = plot_palette();
  Series trials{"trials", pal[0], {}, {}, false, true};
  Series stages{"stages", pal[1], {}, {}, true, true};
  Series input{"input model", pal[2], {}, {}, false, true};
  std::vector<Highlight> chosen;
  for (const TrialReport& t : r.trials) {
    trials.x.push_back(x_of_trial(t));
    trials.y.push_back(100 * t.accuracy);
    if (t.chosen) chosen.push_back({x_of_trial(t), 100 * t.accuracy, "chosen", "#d62728"});
  }
  input.x.push_back(x_of_measure(r, r.baseline));
  input.y.push_back(100 * r.baseline.accuracy);
  stages.x = input.x;
  stages.y = input.y;
  for (const StageReport& s : r.stages) {
    stages.x.push_back(x_of_measure(r, s.after));
    stages.y.push_back(100 * s.after.accuracy);
  }
  if (chosen.empty() && !r.stages.empty())  // no search: the kept model is the last stage's
    chosen.push_back({stages.x.back(), stages.y.back(), "kept", "#d62728"});
  // The budget as a horizontal line across the plotted range.
  double lo = INFINITY, hi = -INFINITY;
  for (const Series* s : {&trials, &stages})
    for (double v : s->x)
      if (std::isfinite(v) && (!log_x || v > 0)) lo = std::min(lo, v), hi = std::max(hi, v);
  std::vector<Series> series = {trials, stages, input};
  if (std::isfinite(lo) && std::isfinite(r.baseline.accuracy) && std::isfinite(r.max_drop_points)) {
    const double y = 100 * r.baseline.accuracy - r.max_drop_points;
    series.push_back({printf_str("budget (input - %.2g pt)", r.max_drop_points), "#999999", {lo, hi}, {y, y}, true, false});
  }
  PlotFrame f{id, title, x_label, "accuracy (%)"};
  f.log_x = log_x;
  return xy_plot_svg(f, series, chosen);
}

double kib_of(const Report&, const ModelMeasurement& m) { return double(m.file_bytes) / 1024.0; }
double trial_kib(const TrialReport& t) { return double(t.file_bytes) / 1024.0; }
double latency_of(const Report& r, const ModelMeasurement& m) { return p50(m, r.headline_batch); }
double trial_latency(const TrialReport& t) { return t.latency_ms; }

void layer_table(std::ostringstream& os, const ModelMeasurement& m) {
  os << "<table id=\"layers\"><tr><th class=\"l\">layer</th><th class=\"l\">op</th><th class=\"l\">precision</th>"
        "<th>sparsity</th><th>params</th><th>MACs</th><th class=\"l\">kernel</th><th class=\"l\">why</th></tr>\n";
  for (const LayerReport& l : m.layers) {
    os << "<tr><td class=\"l\">" << xml_escape(l.name) << "</td><td class=\"l\">" << xml_escape(l.op)
       << "</td><td class=\"l\">" << xml_escape(l.precision) << "</td><td>" << pct(l.sparsity) << "</td><td>"
       << format_count(double(l.params)) << "</td><td>" << format_count(double(l.macs)) << "</td><td class=\"l\">"
       << xml_escape(l.kernel) << "</td><td class=\"l\">" << xml_escape(l.note) << "</td></tr>\n";
  }
  os << "</table>\n";
}

void trial_table(std::ostringstream& os, const Report& r) {
  os << "<table id=\"trials\"><tr><th>#</th><th class=\"l\">knob</th><th>value</th><th>accuracy</th><th>vs input</th>"
        "<th>file</th><th>b" << r.headline_batch << " p50</th><th class=\"l\">within budget</th><th>time</th></tr>\n";
  for (const TrialReport& t : r.trials) {
    os << "<tr" << (t.chosen ? " class=\"chosen\"" : "") << "><td>" << t.id << "</td><td class=\"l\">"
       << xml_escape(t.knob) << "</td><td>" << printf_str("%.4g", t.value) << "</td><td>" << pct(t.accuracy)
       << "</td><td>" << signed_drop(t.drop_points) << "</td><td>" << format_bytes(double(t.file_bytes)) << "</td><td>"
       << ms(t.latency_ms) << "</td><td class=\"l\">" << (t.within_budget ? "yes" : "no")
       << (t.chosen ? " (chosen)" : "") << "</td><td>" << printf_str("%.1f s", t.seconds) << "</td></tr>\n";
  }
  os << "</table>\n";
}

}  // namespace

std::string format_bytes(double b) {
  if (!std::isfinite(b) || b <= 0) return "-";
  if (b < 1024) return printf_str("%.0f B", b);
  if (b < 1024 * 1024) return printf_str("%.1f KiB", b / 1024);
  return printf_str("%.2f MiB", b / (1024 * 1024));
}

std::string format_count(double n) {
  if (!std::isfinite(n)) return "-";
  if (n < 1e4) return printf_str("%.0f", n);
  if (n < 1e6) return printf_str("%.1f k", n / 1e3);
  if (n < 1e9) return printf_str("%.2f M", n / 1e6);
  return printf_str("%.2f G", n / 1e9);
}

Headline report_headline(const Report& r) {
  const ModelMeasurement& m = r.final_measurement();
  Headline h;
  h.size_ratio = m.file_bytes > 0 ? printf_str("%.1fx smaller", double(r.baseline.file_bytes) / double(m.file_bytes))
                                  : "-";
  h.accuracy = pct(m.accuracy);
  h.drop = signed_drop(drop_points(r, m));
  const double before = p50(r.baseline, r.headline_batch), after = p50(m, r.headline_batch);
  if (std::isfinite(before) && std::isfinite(after) && after > 0) {
    const double s = before / after;
    h.latency_speedup = s >= 1 ? printf_str("%.2fx faster", s) : printf_str("%.2fx slower", 1 / s);
  }
  return h;
}

std::string render_report_html(const Report& r) {
  const ModelMeasurement& fin = r.final_measurement();
  const Headline h = report_headline(r);
  const auto& pal = plot_palette();
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>prunq compress: "
     << xml_escape(r.model) << "</title>\n<style>" << kCss << "</style></head><body>\n";
  os << "<h1>prunq compress: " << xml_escape(r.model) << " with " << xml_escape(r.recipe) << "</h1>\n";
  os << "<div class=\"meta\">data " << xml_escape(r.data) << " &middot; recipe " << xml_escape(r.recipe_source)
     << " &middot; seed " << r.seed << " &middot; " << xml_escape(r.cpu) << ", ISA " << xml_escape(r.isa) << ", "
     << r.threads << " threads</div>\n";

  os << "<div class=\"cards\">\n";
  os << "<div class=\"card\" id=\"headline-size\"><div class=\"big\">" << h.size_ratio << "</div><div class=\"small\">"
     << format_bytes(double(r.baseline.file_bytes)) << " &rarr; " << format_bytes(double(fin.file_bytes))
     << " on disk</div></div>\n";
  os << "<div class=\"card\" id=\"headline-accuracy\"><div class=\"big\">" << h.accuracy << "</div><div class=\"small\">"
     << h.drop << " vs the input's " << pct(r.baseline.accuracy) << "; budget "
     << printf_str("%.2g pt", r.max_drop_points) << "</div></div>\n";
  if (!h.latency_speedup.empty())
    os << "<div class=\"card\" id=\"headline-latency\"><div class=\"big\">" << h.latency_speedup
       << "</div><div class=\"small\">batch " << r.headline_batch << " p50: " << ms(p50(r.baseline, r.headline_batch))
       << " &rarr; " << ms(p50(fin, r.headline_batch)) << "</div></div>\n";
  os << "</div>\n";
  os << "<div class=\"verdict " << (r.within_budget ? "ok" : "over") << "\" id=\"verdict\">" << xml_escape(r.verdict)
     << "</div>\n";

  os << "<h2>Stages, each measured on the target</h2>\n";
  stage_table(os, r);

  os << "<h2>Plots</h2>\n<div class=\"plots\">\n";
  os << tradeoff_plot(r, kReportPlotIds[0], "Accuracy vs file size", "file size (KiB, log)", true, kib_of, trial_kib);
  os << tradeoff_plot(r, kReportPlotIds[1], "Accuracy vs latency",
                      "p50 latency at batch " + std::to_string(r.headline_batch) + " (ms)", false, latency_of,
                      trial_latency);
  {
    std::vector<std::string> cats = {"input"};
    BarSeries size{"file size", pal[0], {double(r.baseline.file_bytes) / 1024}};
    for (const StageReport& s : r.stages) {
      cats.push_back(std::to_string(s.index) + " " + s.kind);
      size.values.push_back(double(s.after.file_bytes) / 1024);
    }
    os << bar_plot_svg({kReportPlotIds[2], "File size after each stage", "", "KiB"}, cats, {size});
  }
  {
    std::vector<std::string> cats;
    BarSeries before{"input", pal[2], {}}, after{"compressed", pal[1], {}};
    for (const LatencyStats& l : r.baseline.latency) {
      cats.push_back("batch " + std::to_string(l.batch));
      before.values.push_back(l.p50_ms);
      after.values.push_back(p50(fin, l.batch));
    }
    os << bar_plot_svg({kReportPlotIds[3], "Latency before / after (p50)", "", "ms"}, cats, {before, after});
  }
  {
    std::vector<std::string> cats;
    BarSeries sparsity{"sparsity", pal[3], {}}, bits{"compressed", pal[4], {}};
    BarSeries input_bits{"input", pal[2], {}};
    std::map<std::string, std::string> input_precision;
    for (const LayerReport& l : r.baseline.layers) input_precision[l.name] = l.precision;
    for (const LayerReport& l : fin.layers) {
      if (l.params == 0) continue;  // layers without weights have no sparsity or bit width
      cats.push_back(l.name);
      sparsity.values.push_back(100 * l.sparsity);
      bits.values.push_back(bits_of(l.precision));
      auto it = input_precision.find(l.name);
      input_bits.values.push_back(bits_of(it == input_precision.end() ? "fp32" : it->second));
    }
    os << bar_plot_svg({kReportPlotIds[4], "Sparsity per layer", "", "% of weights zero"}, cats, {sparsity});
    os << bar_plot_svg({kReportPlotIds[5], "Bit width per layer", "", "bits per weight"}, cats, {input_bits, bits});
  }
  {
    std::vector<Series> curves;
    for (size_t i = 0; i < r.sensitivity.size(); ++i) {
      const SensitivityCurve& c = r.sensitivity[i];
      Series s{c.layer, pal[i % pal.size()], {}, {}, true, true};
      for (size_t k = 0; k < c.sparsity.size(); ++k) {
        s.x.push_back(100 * c.sparsity[k]);
        s.y.push_back(100 * c.accuracy[k]);
      }
      curves.push_back(s);
    }
    os << xy_plot_svg({kReportPlotIds[6], "Sensitivity: accuracy with one layer pruned", "sparsity of that layer (%)",
                       "accuracy (%)"},
                      curves);
  }
  os << "</div>\n";

  os << "<h2>Per layer, as the plan runs the kept model</h2>\n";
  layer_table(os, fin);
  os << "<h2>Trials of the search</h2>\n";
  if (r.trials.empty()) {
    os << "<p>The recipe left no knob open, so nothing was searched.</p>\n";
  } else {
    trial_table(os, r);
  }
  os << "</body></html>\n";
  return os.str();
}

}  // namespace prunq::compress
