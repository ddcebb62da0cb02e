// report.json reads back into the same Report; report.html holds every plot, the headline
// figures and the tables, and never lets a name break the page.
#include <gtest/gtest.h>

#include <filesystem>

#include "compress/report.h"
#include "compress/report_html.h"
#include "compress/sample_report.h"
#include "compress/svg_plot.h"
#include "core/error.h"

namespace prunq::compress {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(Report, JsonRoundTrip) {
  Report r = sample_report();
  r.stages[3].after.latency[0].p90_ms = kNotMeasured;  // a figure not measured stays so
  const Json j = report_to_json(r);
  EXPECT_TRUE(j["stages"][3]["after"]["latency"][0]["p90_ms"].is_null());
  const Report back = report_from_json(Json::parse(json_text(j)), "report.json");
  EXPECT_EQ(report_to_json(back), j);
  EXPECT_TRUE(std::isnan(back.stages[3].after.latency[0].p90_ms));
  EXPECT_EQ(back.trials.size(), 5u);
  EXPECT_TRUE(back.trials[4].chosen);
  EXPECT_EQ(back.final_measurement().file_bytes, 158000);
  EXPECT_EQ(back.sensitivity[2].layer, "fc1");
}

TEST(Report, JsonOfTheWrongShapeNamesTheField) {
  Json j = report_to_json(sample_report());
  j["trials"][1]["accuracy"] = "high";
  try {
    report_from_json(j, "out/report.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out/report.json.trials[1].accuracy: expected a number"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(report_from_json(Json::array(), "x"), Error);
}

TEST(Report, HtmlHoldsEveryPlotHeadlineAndTable) {
  const Report r = sample_report();
  const std::string html = render_report_html(r);
  for (const char* id : kReportPlotIds) EXPECT_EQ(count(html, std::string("id=\"") + id + "\""), 1u) << id;
  const Headline h = report_headline(r);
  EXPECT_EQ(h.size_ratio, "43.1x smaller");
  EXPECT_EQ(h.accuracy, "92.12 %");
  EXPECT_EQ(h.drop, "-0.53 pt");
  EXPECT_EQ(h.latency_speedup, "3.38x faster");
  for (const std::string& s : {h.size_ratio, h.accuracy, h.drop, h.latency_speedup, r.verdict})
    EXPECT_NE(html.find(s), std::string::npos) << s;
  EXPECT_NE(html.find("class=\"verdict ok\""), std::string::npos);
  // Every trial is a point of both trade-off plots, and the chosen one is marked in each.
  EXPECT_EQ(count(html, "fill=\"#d62728\">chosen</text>"), 2u);
  EXPECT_EQ(count(html, "<tr class=\"chosen\">"), 1u);
  EXPECT_NE(html.find("float island"), std::string::npos);
  // Self-contained: no script, no link to anything outside the page.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(Report, OverBudgetIsSaidPlainly) {
  Report r = sample_report();
  r.within_budget = false;
  r.verdict = "no model met the budget of 0.3 pt; kept the best found (0.53 pt below), marked over budget";
  const std::string html = render_report_html(r);
  EXPECT_NE(html.find("class=\"verdict over\""), std::string::npos);
  EXPECT_NE(html.find("no model met the budget"), std::string::npos);
}

TEST(Report, NamesAreEscaped) {
  Report r = sample_report();
  r.model = "<script>alert(1)</script>.prunq";
  r.stages[0].after.layers[0].name = "a&b\"<c>";
  r.stages.back().after.layers[0].name = "a&b\"<c>";
  const std::string html = render_report_html(r);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b&quot;&lt;c&gt;"), std::string::npos);
}

TEST(Report, NothingSearchedOrMeasuredStillRenders) {
  Report r;
  r.model = "m.prunq";
  r.baseline.accuracy = 0.5;
  r.baseline.file_bytes = 1000;
  const std::string html = render_report_html(r);
  for (const char* id : kReportPlotIds) EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_NE(html.find("nothing was searched"), std::string::npos);
  EXPECT_NE(html.find("no data"), std::string::npos);
}

TEST(Report, WritesBothFiles) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("prunq_report_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_report_files(sample_report(), dir.string());
  EXPECT_EQ(report_to_json(report_from_json(read_json_file((dir / "report.json").string()), "r")),
            report_to_json(sample_report()));
  EXPECT_GT(std::filesystem::file_size(dir / "report.html"), 10000u);
  std::filesystem::remove_all(dir);
}

TEST(SvgPlot, ScalesAndLabels) {
  PlotFrame f{"p", "T", "x", "y"};
  const std::string svg = xy_plot_svg(f, {{"s", "#123456", {1, 2, 3}, {10, 20, 30}, true, true}}, {{2, 20, "here"}});
  EXPECT_EQ(count(svg, "<circle"), 4u);  // three points and the highlight
  EXPECT_NE(svg.find("<path d=\"M"), std::string::npos);
  EXPECT_NE(svg.find(">here</text>"), std::string::npos);
  // A NaN point is left out rather than drawn at a bogus place.
  const std::string gap = xy_plot_svg(f, {{"s", "#123456", {1, NAN, 3}, {10, 20, 30}, false, true}});
  EXPECT_EQ(count(gap, "<circle"), 2u);
  EXPECT_EQ(gap.find("nan"), std::string::npos);
  const std::string bars = bar_plot_svg(f, {"a", "b"}, {{"v", "#111111", {1, 2}}, {"w", "#222222", {3, NAN}}});
  EXPECT_EQ(count(bars, "<title>"), 3u);
}

}  // namespace
}  // namespace prunq::compress
