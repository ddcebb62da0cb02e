// report.html rendered by a real browser (Debian's headless Chromium): every plot is drawn
// (the screenshot's region where each <svg> lies holds plotted colours, not a blank box) and
// the page's text holds the headline figures. The screenshot is left in the build folder
// (report_screenshot.png) for a human to look at, never in the repository. Skips only when
// Chromium is not installed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compress/png_reader.h"
#include "compress/report.h"
#include "compress/report_html.h"
#include "compress/sample_report.h"
#include "compress/svg_plot.h"
#include "io/json/json_file.h"

extern char** environ;

namespace prunq::compress {
namespace {

namespace fs = std::filesystem;

std::string chromium_path() {
  const char* env = std::getenv("PRUNQ_CHROMIUM");
  const std::string p = env && *env ? env : "/usr/bin/chromium";
  return access(p.c_str(), X_OK) == 0 ? p : "";
}

// Runs argv (through coreutils' timeout, so a hung browser fails the test instead of the run),
// stdout into `out_path`; returns the exit code.
int run(std::vector<std::string> argv, const std::string& out_path) {
  argv.insert(argv.begin(), {"/usr/bin/timeout", "120"});
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> chromium_args(const std::string& chromium, const fs::path& profile) {
  // The flags Chromium needs on a closed network, as root, without a display (see the
  // project's machine notes); a fresh profile every run.
  return {chromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--hide-scrollbars",
          "--user-data-dir=" + profile.string()};
}

std::string html_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + 1)) s.replace(p, strlen(from), to);
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

struct Rgb {
  int r, g, b;
};
Rgb parse_color(const std::string& hex) {
  return {std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
          std::stoi(hex.substr(5, 2), nullptr, 16)};
}
bool near(const uint8_t* p, Rgb c, int tol = 40) {
  return std::abs(p[0] - c.r) + std::abs(p[1] - c.g) + std::abs(p[2] - c.b) <= tol;
}

TEST(ReportRender, EveryPlotIsDrawnInChromium) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (Debian package 'chromium')";
  const fs::path dir = fs::temp_directory_path() / ("prunq_render_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Report report = sample_report();
  write_report_files(report, dir.string());

  // A copy of the page with a probe script that records where each plot lies and the page's
  // text; the page itself has no script. Both are laid out at the same width (scrollbars
  // hidden, so the window height does not change the layout).
  std::string probe = slurp((dir / "report.html").string());
  const std::string script =
      "<script>const o={height:document.documentElement.scrollHeight,text:document.body.innerText,plots:{}};"
      "for(const s of document.querySelectorAll('svg.plot')){const r=s.getBoundingClientRect();"
      "o.plots[s.id]=[r.left+scrollX,r.top+scrollY,r.width,r.height];}"
      "document.body.setAttribute('data-probe',JSON.stringify(o));</script>";
  probe.insert(probe.rfind("</body>"), script);
  std::ofstream(dir / "probe.html") << probe;

  std::vector<std::string> dump = chromium_args(chromium, dir / "profile1");
  dump.insert(dump.end(), {"--window-size=1280,900", "--dump-dom", "file://" + (dir / "probe.html").string()});
  ASSERT_EQ(run(dump, (dir / "dom.html").string()), 0) << "chromium --dump-dom failed";
  const std::string dom = slurp((dir / "dom.html").string());
  const size_t a = dom.find("data-probe=\"");
  ASSERT_NE(a, std::string::npos) << dom.substr(0, 500);
  const size_t b = dom.find('"', a + 12);
  const Json layout = Json::parse(html_unescape(dom.substr(a + 12, b - a - 12)));

  // The page's text holds the headline figures and the verdict.
  const std::string text = layout["text"].get<std::string>();
  const Headline h = report_headline(report);
  for (const std::string& s : {h.size_ratio, h.accuracy, h.drop, h.latency_speedup, report.verdict})
    EXPECT_NE(text.find(s), std::string::npos) << "'" << s << "' not in the page's text";

  const int height = layout["height"].get<int>();
  ASSERT_GT(height, 800);
  const std::string shot = std::string(PRUNQ_BINARY_DIR) + "/report_screenshot.png";
  std::vector<std::string> cap = chromium_args(chromium, dir / "profile2");
  cap.insert(cap.end(), {"--window-size=1280," + std::to_string(height), "--screenshot=" + shot,
                         "file://" + (dir / "report.html").string()});
  fs::remove(shot);
  ASSERT_EQ(run(cap, (dir / "shot.log").string()), 0) << "chromium --screenshot failed";
  const prunq::testing::Image img = prunq::testing::read_png(shot);
  ASSERT_EQ(img.width, 1280);

  std::vector<Rgb> data_colors;
  for (const std::string& c : plot_palette()) {
    const Rgb rgb = parse_color(c);
    // Grey is also the colour of frames and axis text: only saturated colours count as data.
    if (std::max({rgb.r, rgb.g, rgb.b}) - std::min({rgb.r, rgb.g, rgb.b}) > 40) data_colors.push_back(rgb);
  }
  const Rgb chosen = parse_color("#d62728");
  for (const char* id : kReportPlotIds) {
    ASSERT_TRUE(layout["plots"].contains(id)) << id << " is not on the page";
    const Json& r = layout["plots"][id];
    const int x0 = int(std::lround(r[0].get<double>())), y0 = int(std::lround(r[1].get<double>()));
    const int w = int(r[2].get<double>()), hh = int(r[3].get<double>());
    ASSERT_GT(w, 200) << id;
    ASSERT_GT(hh, 150) << id;
    ASSERT_LE(x0 + w, img.width) << id;
    ASSERT_LE(y0 + hh, img.height) << id;
    // Inked pixels (anything not near white) and pixels in the plots' data colours.
    int64_t inked = 0, data = 0, red = 0;
    for (int y = y0; y < y0 + hh; ++y)
      for (int x = x0; x < x0 + w; ++x) {
        const uint8_t* p = img.at(x, y);
        if (p[0] < 235 || p[1] < 235 || p[2] < 235) ++inked;
        for (const Rgb& c : data_colors)
          if (near(p, c)) {
            ++data;
            break;
          }
        if (near(p, chosen)) ++red;
      }
    const double area = double(w) * double(hh);
    EXPECT_GT(double(inked) / area, 0.03) << id << ": the region is (nearly) blank";
    EXPECT_GT(data, 150) << id << ": no plotted data in the region";
    if (std::string(id) == "plot-accuracy-size" || std::string(id) == "plot-accuracy-latency") {
      EXPECT_GT(red, 60) << id << ": the chosen trial is not marked";
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace prunq::compress
