// Structured pruning, measured: takes a trained model (e.g. `prunq train --arch fmnist-cnn
// ... -o fmnist-cnn.prunq`), prunes it structurally, fine-tunes it, and reports accuracy, MACs,
// parameters and inference latency of the dense and the pruned model in the same run.
//   bench_structured_prune --model fmnist-cnn.prunq --ratio 0.5 --finetune-epochs 2
// Options: --model PATH (.prunq, taking raw [0, 1] pixels as `prunq train` writes them)
//          --method channel|unit|block --ratio R --criterion l1|l2|bn-gamma|taylor --round-to N
//          --finetune-epochs N --lr X (Adam, cosine to 0) --batch N (latency batch, default 64)
//          --threads N --reps N (timed runs per model) --data fashion-mnist|DIR -o PRUNED.prunq
//          --latency-only (skip evaluation and fine-tuning)
// Latency: both models run interleaved on the same batch of test images, after warm-up; the
// median wall time of `reps` runs each is reported (the median resists a busy shared machine).
// The last line is machine-readable:
//   "RESULT structured dense_acc=.. pruned_acc=.. finetuned_acc=.. macs_ratio=.. params_ratio=..
//    dense_ms=.. pruned_ms=.. speedup=.."
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "io/data/idx_dataset.h"
#include "io/native/model_file.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "prune/structured.h"
#include "runtime/executor.h"
#include "train/trainer.h"

namespace {

using namespace prunq;

struct Args {
  std::string model, data = "fashion-mnist", out, method = "channel", criterion = "l1";
  double ratio = 0.5;
  int64_t round_to = 1, finetune_epochs = 2, batch = 64, threads = 2, reps = 40;
  float lr = 3e-4f;
  bool latency_only = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      PRUNQ_CHECK(i + 1 < argc, "option ", k, " needs a value");
      return argv[++i];
    };
    if (k == "--model") a.model = val();
    else if (k == "--data") a.data = val();
    else if (k == "-o") a.out = val();
    else if (k == "--method") a.method = val();
    else if (k == "--criterion") a.criterion = val();
    else if (k == "--ratio") a.ratio = std::stod(val());
    else if (k == "--round-to") a.round_to = std::stoll(val());
    else if (k == "--finetune-epochs") a.finetune_epochs = std::stoll(val());
    else if (k == "--lr") a.lr = std::stof(val());
    else if (k == "--batch") a.batch = std::stoll(val());
    else if (k == "--threads") a.threads = std::stoll(val());
    else if (k == "--reps") a.reps = std::stoll(val());
    else if (k == "--latency-only") a.latency_only = true;
    else fail("unknown option '", k, "'");
  }
  PRUNQ_CHECK(!a.model.empty(), "--model PATH is required");
  PRUNQ_CHECK(a.batch > 0 && a.reps > 0, "--batch and --reps must be positive");
  return a;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct EpochPrinter : TrainCallback {
  void on_epoch_end(Trainer&, const EpochStats& s) override {
    std::printf("  fine-tune epoch %lld: %.1f s, train loss %.4f, test acc %.2f%%\n", (long long)s.epoch + 1, s.seconds,
                s.train_loss, 100 * s.validation.accuracy);
    std::fflush(stdout);
  }
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse(argc, argv);
    set_num_threads(static_cast<int>(a.threads));
    std::printf("CPU: %s, ISA %s, %d threads, gemm %s\n", cpu_model().c_str(),
                std::string(isa_name(active_isa())).c_str(), num_threads(), gemm_f32_backend());
    Graph dense = load_model(a.model);
    const Dataset test = load_idx_dataset(a.data, "test");

    double dense_acc = -1, pruned_acc = -1, tuned_acc = -1;
    if (!a.latency_only) {
      dense_acc = evaluate_model(dense, test).accuracy;
      std::printf("dense: test accuracy %.2f%%\n", 100 * dense_acc);
    }

    Graph pruned = dense.clone();
    StructuredPruneOptions o;
    o.method = parse_structured_method(a.method);
    o.criterion = parse_importance_criterion(a.criterion);
    o.ratio = a.ratio;
    o.round_to = a.round_to;
    Dataset train;
    if (!a.latency_only || o.criterion == ImportanceCriterion::kTaylor) train = load_idx_dataset(a.data, "train");
    o.data = &train;
    const auto t0 = std::chrono::steady_clock::now();
    StructuredPruneReport r = prune_structured(pruned, o);
    std::printf("pruned in %.2f s\n%s", seconds_since(t0), format_structured_report(r).c_str());

    if (!a.latency_only) {
      pruned_acc = evaluate_model(pruned, test).accuracy;
      std::printf("pruned, before fine-tuning: test accuracy %.2f%%\n", 100 * pruned_acc);
      tuned_acc = pruned_acc;
      if (a.finetune_epochs > 0) {
        TrainConfig c;
        c.epochs = a.finetune_epochs;
        c.optimizer.lr = a.lr;
        c.progress = false;
        Trainer trainer(pruned, c);
        trainer.add_callback(std::make_shared<EpochPrinter>());
        tuned_acc = trainer.fit(train, &test).back().validation.accuracy;
      }
    }
    if (!a.out.empty()) save_model(pruned, a.out);

    // Latency: the first `batch` test images, both models interleaved.
    const Tensor x = test.slice(0, std::min(a.batch, test.size())).images;
    Executor ed(dense), ep(pruned);
    for (int i = 0; i < 3; ++i) ed.run({x}), ep.run({x});
    std::vector<double> td, tp;
    for (int64_t i = 0; i < a.reps; ++i) {
      auto s = std::chrono::steady_clock::now();
      ed.run({x});
      td.push_back(seconds_since(s));
      s = std::chrono::steady_clock::now();
      ep.run({x});
      tp.push_back(seconds_since(s));
    }
    const double dense_ms = 1e3 * median(td), pruned_ms = 1e3 * median(tp);
    std::printf("latency at batch %lld: dense %.2f ms, pruned %.2f ms (median of %lld), %.2fx faster\n",
                (long long)x.dim(0), dense_ms, pruned_ms, (long long)a.reps, dense_ms / pruned_ms);
    std::printf(
        "RESULT structured dense_acc=%.4f pruned_acc=%.4f finetuned_acc=%.4f macs_ratio=%.4f params_ratio=%.4f "
        "dense_ms=%.3f pruned_ms=%.3f speedup=%.3f\n",
        dense_acc, pruned_acc, tuned_acc, double(r.macs_after) / double(r.macs_before),
        double(r.params_after) / double(r.params_before), dense_ms, pruned_ms, dense_ms / pruned_ms);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_structured_prune: %s\n", e.what());
    return 1;
  }
}
