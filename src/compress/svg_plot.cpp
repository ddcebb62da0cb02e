#include "compress/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace prunq::compress {
namespace {

// Room for the title and one legend row above the plot area, tick labels and the axis label below.
constexpr int kLeft = 64, kRight = 16, kTop = 48, kBottom = 54;

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Tick labels: few significant digits, no trailing zeros.
std::string tick_label(double v) {
  if (std::fabs(v) < 1e-12) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double px0 = 0, px1 = 1;  // pixel positions of lo and hi

  double to_px(double v) const {
    const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
    const double t = ((log ? std::log10(v) : v) - a) / (b - a);
    return px0 + t * (px1 - px0);
  }
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log) {
      const int d0 = int(std::floor(std::log10(lo))), d1 = int(std::ceil(std::log10(hi)));
      const bool dense = d1 - d0 <= 2;  // few decades: 1, 2, 5 steps inside each
      for (int d = d0; d <= d1; ++d)
        for (double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
          const double v = m * std::pow(10.0, d);
          if (v >= lo * 0.999 && v <= hi * 1.001) out.push_back(v);
        }
      return out;
    }
    const double raw = (hi - lo) / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * mag >= raw) {
        step = m * mag;
        break;
      }
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push_back(v);
    return out;
  }
};

// The range covering `values` (finite ones; positive ones for a log axis), padded a little.
Axis fit_axis(const std::vector<double>& values, bool log, bool from_zero) {
  Axis a;
  a.log = log;
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v) || (log && v <= 0)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (from_zero && !log) lo = std::min(lo, 0.0);
  if (!std::isfinite(lo)) {
    lo = log ? 1 : 0;
    hi = log ? 10 : 1;
  }
  if (log) {
    if (hi <= lo * 1.0001) {
      lo /= 2;
      hi *= 2;
    }
    a.lo = lo / 1.25;
    a.hi = hi * 1.25;
  } else {
    if (hi - lo < 1e-12) {
      const double pad = std::fabs(hi) > 1e-12 ? std::fabs(hi) * 0.1 : 1.0;
      lo -= pad;
      hi += pad;
    }
    const double pad = (hi - lo) * 0.06;
    a.lo = from_zero && lo >= 0 ? lo : lo - pad;
    a.hi = hi + pad;
  }
  return a;
}

void open_svg(std::ostringstream& os, const PlotFrame& f) {
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"" << xml_escape(f.id) << "\" width=\""
     << f.width << "\" height=\"" << f.height << "\" viewBox=\"0 0 " << f.width << " " << f.height
     << "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"" << xml_escape(f.title) << "\">\n";
  os << "<rect x=\"0\" y=\"0\" width=\"" << f.width << "\" height=\"" << f.height << "\" fill=\"#ffffff\"/>\n";
  os << "<text x=\"" << f.width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
     << xml_escape(f.title) << "</text>\n";
}

void draw_frame(std::ostringstream& os, const PlotFrame& f, const Axis& x, const Axis& y, bool x_ticks) {
  const double x0 = kLeft, x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop;
  os << "<rect x=\"" << x0 << "\" y=\"" << y1 << "\" width=\"" << x1 - x0 << "\" height=\"" << y0 - y1
     << "\" fill=\"#fbfbfd\" stroke=\"#888888\"/>\n";
  for (double t : y.ticks()) {
    const double py = y.to_px(t);
    os << "<line x1=\"" << x0 << "\" y1=\"" << fmt(py) << "\" x2=\"" << x1 << "\" y2=\"" << fmt(py)
       << "\" stroke=\"#e2e2e8\"/>\n";
    os << "<text x=\"" << x0 - 5 << "\" y=\"" << fmt(py + 4) << "\" text-anchor=\"end\">" << tick_label(t) << "</text>\n";
  }
  if (x_ticks) {
    for (double t : x.ticks()) {
      const double px = x.to_px(t);
      os << "<line x1=\"" << fmt(px) << "\" y1=\"" << y1 << "\" x2=\"" << fmt(px) << "\" y2=\"" << y0
         << "\" stroke=\"#e2e2e8\"/>\n";
      os << "<text x=\"" << fmt(px) << "\" y=\"" << y0 + 15 << "\" text-anchor=\"middle\">" << tick_label(t)
         << "</text>\n";
    }
  }
  os << "<text x=\"" << (x0 + x1) / 2 << "\" y=\"" << f.height - 8 << "\" text-anchor=\"middle\">"
     << xml_escape(f.x_label) << "</text>\n";
  os << "<text x=\"14\" y=\"" << (y0 + y1) / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " << (y0 + y1) / 2
     << ")\">" << xml_escape(f.y_label) << "</text>\n";
}

// One row of legend entries between the title and the plot area, so it never hides data.
void draw_legend(std::ostringstream& os, const PlotFrame& f, const std::vector<std::pair<std::string, std::string>>& items) {
  double x = kLeft;
  for (const auto& [name, color] : items) {
    if (name.empty()) continue;
    const double w = 18 + 6.2 * double(name.size()) + 10;  // swatch, text at ~6.2 px a character, gap
    if (x + w > f.width - kRight && x > kLeft) break;        // what does not fit is left out, not overlapped
    os << "<rect x=\"" << fmt(x) << "\" y=\"27\" width=\"10\" height=\"10\" fill=\"" << color << "\"/>\n";
    os << "<text x=\"" << fmt(x + 14) << "\" y=\"36\">" << xml_escape(name) << "</text>\n";
    x += w;
  }
}

}  // namespace

const std::vector<std::string>& plot_palette() {
  static const std::vector<std::string> p = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                             "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8"};
  return p;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string xy_plot_svg(const PlotFrame& f, const std::vector<Series>& series, const std::vector<Highlight>& highlights) {
  std::vector<double> xs, ys;
  for (const Series& s : series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  for (const Highlight& h : highlights) {
    xs.push_back(h.x);
    ys.push_back(h.y);
  }
  Axis x = fit_axis(xs, f.log_x, false), y = fit_axis(ys, false, false);
  x.px0 = kLeft;
  x.px1 = f.width - kRight;
  y.px0 = f.height - kBottom;
  y.px1 = kTop;
  std::ostringstream os;
  open_svg(os, f);
  draw_frame(os, f, x, y, true);
  auto visible = [&](double vx, double vy) { return std::isfinite(vx) && std::isfinite(vy) && (!f.log_x || vx > 0); };
  bool any = false;
  for (const Series& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    if (s.line) {
      std::string path;
      for (size_t i = 0; i < n; ++i) {
        if (!visible(s.x[i], s.y[i])) continue;
        path += (path.empty() ? "M" : " L") + fmt(x.to_px(s.x[i])) + " " + fmt(y.to_px(s.y[i]));
      }
      if (!path.empty())
        os << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\"/>\n";
    }
    if (s.markers) {
      for (size_t i = 0; i < n; ++i) {
        if (!visible(s.x[i], s.y[i])) continue;
        any = true;
        os << "<circle cx=\"" << fmt(x.to_px(s.x[i])) << "\" cy=\"" << fmt(y.to_px(s.y[i])) << "\" r=\"4\" fill=\""
           << s.color << "\" fill-opacity=\"0.85\"/>\n";
      }
    }
    any = any || (s.line && n > 0);
  }
  for (const Highlight& h : highlights) {
    if (!visible(h.x, h.y)) continue;
    any = true;
    const double px = x.to_px(h.x), py = y.to_px(h.y);
    os << "<circle cx=\"" << fmt(px) << "\" cy=\"" << fmt(py) << "\" r=\"8\" fill=\"" << h.color
       << "\" stroke=\"#000000\" stroke-width=\"1.5\"/>\n";
    os << "<text x=\"" << fmt(px + 11) << "\" y=\"" << fmt(py - 8) << "\" font-weight=\"bold\" fill=\"" << h.color
       << "\">" << xml_escape(h.label) << "</text>\n";
  }
  if (!any)
    os << "<text x=\"" << f.width / 2 << "\" y=\"" << f.height / 2 << "\" text-anchor=\"middle\" fill=\"#888888\">"
       << "no data</text>\n";
  std::vector<std::pair<std::string, std::string>> legend;
  for (const Series& s : series) legend.push_back({s.name, s.color});
  for (const Highlight& h : highlights) legend.push_back({h.label, h.color});
  draw_legend(os, f, legend);
  os << "</svg>\n";
  return os.str();
}

std::string bar_plot_svg(const PlotFrame& f, const std::vector<std::string>& categories,
                         const std::vector<BarSeries>& series) {
  std::vector<double> values;
  for (const BarSeries& s : series) values.insert(values.end(), s.values.begin(), s.values.end());
  Axis y = fit_axis(values, false, true);
  y.px0 = f.height - kBottom;
  y.px1 = kTop;
  Axis x;  // unused for ticks: categories label the x axis
  std::ostringstream os;
  open_svg(os, f);
  draw_frame(os, f, x, y, false);
  const double x0 = kLeft, x1 = f.width - kRight;
  const size_t n = std::max<size_t>(categories.size(), 1), k = std::max<size_t>(series.size(), 1);
  const double group = (x1 - x0) / double(n), bar = group * 0.8 / double(k);
  // Long or many category names are turned, so they never overlap.
  size_t longest = 0;
  for (const std::string& c : categories) longest = std::max(longest, c.size());
  const bool turn = double(longest) * 6.0 > group;
  bool any = false;
  for (size_t c = 0; c < categories.size(); ++c) {
    const double gx = x0 + group * double(c);
    for (size_t s = 0; s < series.size(); ++s) {
      if (c >= series[s].values.size() || !std::isfinite(series[s].values[c])) continue;
      const double v = series[s].values[c];
      const double top = y.to_px(std::max(v, 0.0)), base = y.to_px(0);
      any = true;
      os << "<rect x=\"" << fmt(gx + group * 0.1 + bar * double(s)) << "\" y=\"" << fmt(top) << "\" width=\""
         << fmt(std::max(bar - 1, 1.0)) << "\" height=\"" << fmt(std::max(base - top, 1.0)) << "\" fill=\""
         << series[s].color << "\"><title>" << xml_escape(categories[c] + ": " + tick_label(v)) << "</title></rect>\n";
    }
    const double lx = gx + group / 2, ly = f.height - kBottom + 14;
    if (turn) {
      os << "<text x=\"" << fmt(lx) << "\" y=\"" << fmt(ly) << "\" text-anchor=\"end\" font-size=\"9\" transform=\"rotate(-35 "
         << fmt(lx) << " " << fmt(ly) << ")\">" << xml_escape(categories[c]) << "</text>\n";
    } else {
      os << "<text x=\"" << fmt(lx) << "\" y=\"" << fmt(ly) << "\" text-anchor=\"middle\">" << xml_escape(categories[c])
         << "</text>\n";
    }
  }
  if (!any)
    os << "<text x=\"" << f.width / 2 << "\" y=\"" << f.height / 2 << "\" text-anchor=\"middle\" fill=\"#888888\">"
       << "no data</text>\n";
  std::vector<std::pair<std::string, std::string>> legend;
  for (const BarSeries& s : series) legend.push_back({s.name, s.color});
  draw_legend(os, f, legend);
  os << "</svg>\n";
  return os.str();
}

}  // namespace prunq::compress
