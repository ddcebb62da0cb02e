// A progress bar for training and evaluation loops: position, metrics (loss, accuracy, ...),
// items/s and ETA. On a terminal it redraws one line in place (at most ~10 times a second); when
// the output is not a terminal (logs, CI) it prints plain lines every few seconds instead, so
// log files stay readable.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace prunq {

struct ProgressMetric {
  std::string name;
  double value = 0;
  bool percent = false;  // value is a fraction shown as "91.23%"
};

struct ProgressOptions {
  enum class Mode { kAuto, kTty, kPlain, kOff };
  std::FILE* out = stderr;
  Mode mode = Mode::kAuto;          // kAuto: kTty when `out` is a terminal, else kPlain
  double tty_interval_s = 0.1;      // minimum time between redraws
  double plain_interval_s = 10.0;   // minimum time between plain lines
  int bar_width = 24;
  std::function<double()> clock;    // seconds; defaults to a steady clock (tests inject one)
};

class ProgressBar {
 public:
  // total: number of steps (batches); unit: what items are ("img").
  ProgressBar(std::string label, int64_t total, std::string unit = "img", ProgressOptions options = {});
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // After `done` of `total` steps covering `items` items in all.
  void update(int64_t done, int64_t items, const std::vector<ProgressMetric>& metrics = {});
  // Draws the final state and ends the line (idempotent; the destructor calls it).
  void finish(const std::vector<ProgressMetric>& metrics = {});
  bool is_tty() const { return mode_ == ProgressOptions::Mode::kTty; }

  // "1:02:03" / "02:03" for a number of seconds.
  static std::string format_duration(double seconds);

 private:
  std::string render(bool final) const;
  void emit(bool final);

  std::string label_, unit_;
  int64_t total_;
  ProgressOptions opt_;
  ProgressOptions::Mode mode_;
  double start_ = 0, last_emit_ = -1e300;
  int64_t done_ = 0, items_ = 0;
  std::vector<ProgressMetric> metrics_;
  bool finished_ = false;
  size_t last_width_ = 0;
};

}  // namespace prunq
