#include "train/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.h"

namespace prunq {
namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, ProgressOptions options)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), opt_(std::move(options)) {
  PRUNQ_CHECK(total >= 0, "progress bar '", label_, "': total must be >= 0, got ", total);
  if (!opt_.clock) opt_.clock = steady_seconds;
  mode_ = opt_.mode;
  if (mode_ == ProgressOptions::Mode::kAuto)
    mode_ = opt_.out && ::isatty(::fileno(opt_.out)) ? ProgressOptions::Mode::kTty : ProgressOptions::Mode::kPlain;
  if (!opt_.out) mode_ = ProgressOptions::Mode::kOff;
  start_ = opt_.clock();
}

ProgressBar::~ProgressBar() {
  // Never throw from a destructor: a failed final draw is not worth terminating for.
  try {
    finish();
  } catch (...) {
  }
}

std::string ProgressBar::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const int64_t s = int64_t(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
  else
    std::snprintf(buf, sizeof(buf), "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

std::string ProgressBar::render(bool final) const {
  const double elapsed = std::max(1e-9, opt_.clock() - start_);
  // Built with += only: GCC 12 reports a false -Wrestrict on `"literal" + std::string`.
  std::string line = label_;
  if (mode_ == ProgressOptions::Mode::kTty) {
    const double frac = total_ > 0 ? std::min(1.0, double(done_) / double(total_)) : 1.0;
    const int filled = int(frac * opt_.bar_width);
    line += " [";
    line.append(size_t(filled), '#');
    line.append(size_t(opt_.bar_width - filled), '.');
    line += "]";
  }
  line += ' ';
  line += std::to_string(done_);
  line += '/';
  line += std::to_string(total_);
  if (mode_ == ProgressOptions::Mode::kPlain && total_ > 0) {
    line += " (";
    line += std::to_string(int(100.0 * double(done_) / double(total_)));
    line += "%)";
  }
  for (const ProgressMetric& m : metrics_) {
    line += ' ';
    line += m.name;
    line += ' ';
    line += m.percent ? fixed(100.0 * m.value, 2) + "%" : fixed(m.value, 4);
  }
  line += ' ';
  line += fixed(double(items_) / elapsed, 0);
  line += ' ';
  line += unit_;
  line += "/s";
  if (final) {
    line += " in ";
    line += format_duration(elapsed);
  } else {
    const double eta = done_ > 0 ? elapsed * double(total_ - done_) / double(done_) : NAN;
    line += " ETA ";
    line += format_duration(eta);
  }
  return line;
}

void ProgressBar::emit(bool final) {
  const std::string line = render(final);
  if (mode_ == ProgressOptions::Mode::kTty) {
    // \r + spaces over any leftover of a longer previous line (no terminal escape needed).
    std::string pad = line.size() < last_width_ ? std::string(last_width_ - line.size(), ' ') : "";
    std::fprintf(opt_.out, "\r%s%s%s", line.c_str(), pad.c_str(), final ? "\n" : "");
    last_width_ = line.size();
  } else {
    std::fprintf(opt_.out, "%s\n", line.c_str());
  }
  std::fflush(opt_.out);
  last_emit_ = opt_.clock();
}

void ProgressBar::update(int64_t done, int64_t items, const std::vector<ProgressMetric>& metrics) {
  if (finished_ || mode_ == ProgressOptions::Mode::kOff) return;
  done_ = std::clamp<int64_t>(done, 0, total_);
  items_ = items;
  metrics_ = metrics;
  const double interval = mode_ == ProgressOptions::Mode::kTty ? opt_.tty_interval_s : opt_.plain_interval_s;
  if (opt_.clock() - last_emit_ >= interval && done_ < total_) emit(false);
}

void ProgressBar::finish(const std::vector<ProgressMetric>& metrics) {
  if (finished_) return;
  finished_ = true;
  if (mode_ == ProgressOptions::Mode::kOff) return;
  if (!metrics.empty()) metrics_ = metrics;
  emit(true);
}

}  // namespace prunq
