#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <string>

#include "core/error.h"
#include "train/progress.h"

namespace prunq {
namespace {

// Captures what a progress bar writes, with a clock the test advances by hand.
struct Capture {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  double now = 0;
  ~Capture() {
    if (f) std::fclose(f);
    std::free(buf);
  }
  ProgressOptions options(ProgressOptions::Mode mode) {
    ProgressOptions o;
    o.out = f;
    o.mode = mode;
    o.clock = [this] { return now; };
    return o;
  }
  std::string text() {
    std::fflush(f);
    return std::string(buf, len);
  }
};

size_t count(const std::string& s, char c) { return size_t(std::count(s.begin(), s.end(), c)); }

TEST(TrainProgress, PlainModePrintsPeriodicLinesWithMetricsRateAndEta) {
  Capture cap;
  ProgressOptions o = cap.options(ProgressOptions::Mode::kAuto);  // a memstream is not a TTY
  o.plain_interval_s = 10;
  {
    ProgressBar bar("epoch 1/3", 100, "img", o);
    EXPECT_FALSE(bar.is_tty());
    for (int i = 1; i <= 100; ++i) {
      cap.now = i;  // one step per second, 128 images a step
      bar.update(i, int64_t(i) * 128, {{"loss", 0.5}, {"acc", 0.875, true}});
    }
    bar.finish();
  }
  const std::string out = cap.text();
  EXPECT_EQ(out.find('\r'), std::string::npos);
  // Lines at t = 1, 11, 21, ..., 91 plus the final one.
  EXPECT_EQ(count(out, '\n'), 11u) << out;
  EXPECT_NE(out.find("epoch 1/3 1/100 (1%) loss 0.5000 acc 87.50% 128 img/s ETA 01:39"), std::string::npos) << out;
  EXPECT_NE(out.find("100/100 (100%) loss 0.5000 acc 87.50% 128 img/s in 01:40\n"), std::string::npos) << out;
}

TEST(TrainProgress, TtyModeRedrawsOneLineInPlace) {
  Capture cap;
  ProgressOptions o = cap.options(ProgressOptions::Mode::kTty);
  o.bar_width = 10;
  ProgressBar bar("eval", 4, "img", o);
  for (int i = 1; i <= 4; ++i) {
    cap.now = i;
    bar.update(i, i * 10);
  }
  bar.finish();
  bar.finish();  // idempotent
  const std::string out = cap.text();
  EXPECT_EQ(count(out, '\n'), 1u) << out;
  EXPECT_EQ(count(out, '\r'), 4u) << out;  // three redraws + the final draw
  EXPECT_NE(out.find("\reval [#####.....] 2/4"), std::string::npos) << out;
  EXPECT_NE(out.find("[##########] 4/4"), std::string::npos) << out;
}

TEST(TrainProgress, OffModeIsSilentAndDurationsFormat) {
  Capture cap;
  {
    ProgressBar bar("x", 3, "img", cap.options(ProgressOptions::Mode::kOff));
    bar.update(1, 1);
  }
  EXPECT_TRUE(cap.text().empty());
  EXPECT_EQ(ProgressBar::format_duration(59.4), "00:59");
  EXPECT_EQ(ProgressBar::format_duration(3723), "1:02:03");
  EXPECT_EQ(ProgressBar::format_duration(-1), "--:--");
  EXPECT_THROW(ProgressBar("bad", -1), Error);
}

}  // namespace
}  // namespace prunq
