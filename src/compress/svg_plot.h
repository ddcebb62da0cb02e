// Plots as inline SVG text: scatter / line charts and grouped bar charts with axes, ticks,
// labels and a legend, for report.html. Plain SVG 1.1, no script, no external resources, so
// the page renders anywhere, offline.
#pragma once
#include <string>
#include <vector>

namespace prunq::compress {

struct PlotFrame {
  std::string id;       // the <svg> element's id (tests find plots by it)
  std::string title, x_label, y_label;
  int width = 560, height = 320;
  bool log_x = false;   // sizes spanning decades
};

struct Series {
  std::string name;     // legend entry ("" for none)
  std::string color;    // "#1f77b4"
  std::vector<double> x, y;
  bool line = false;    // join the points in order
  bool markers = true;
};

// A point drawn over the series: larger, outlined, with a label ("chosen").
struct Highlight {
  double x = 0, y = 0;
  std::string label, color = "#d62728";
};

std::string xy_plot_svg(const PlotFrame& frame, const std::vector<Series>& series,
                        const std::vector<Highlight>& highlights = {});

struct BarSeries {
  std::string name, color;
  std::vector<double> values;  // one per category; NaN leaves a gap
};

// Bars grouped by category (one bar per series in each group); y starts at 0.
std::string bar_plot_svg(const PlotFrame& frame, const std::vector<std::string>& categories,
                         const std::vector<BarSeries>& series);

// Text safe inside HTML / SVG elements and attribute values.
std::string xml_escape(const std::string& s);

// The palette the report uses, in order.
const std::vector<std::string>& plot_palette();

}  // namespace prunq::compress
