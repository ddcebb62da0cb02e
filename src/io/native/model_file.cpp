#include "io/native/model_file.h"

#include <cstring>
#include <set>
#include <type_traits>

#include "io/native/byte_stream.h"
#include "io/native/crc32.h"
#include "io/native/file_util.h"
#include "io/native/tensor_record.h"

namespace prunq {
namespace {

constexpr char kMagic[8] = {'P', 'R', 'U', 'N', 'Q', 'M', 'D', 'L'};
constexpr size_t kHeaderBytes = 24;  // magic, version, flags, payload_len
constexpr size_t kTrailerBytes = 4;  // crc32
constexpr uint8_t kInitTrainable = 1, kInitHasMask = 2;
constexpr uint32_t kMaxValueRank = kMaxTensorRank;
// Declared value shapes are bounded so shape arithmetic downstream (conv windows, im2col sizes)
// cannot overflow int64: 2^48 elements is far beyond any tensor a device holds.
constexpr int64_t kMaxDeclaredElements = int64_t{1} << 48;

bool declared_shape_is_sane(const Shape& shape) {
  int64_t known = 1;  // product of the known dims, never above kMaxDeclaredElements
  for (int64_t d : shape) {
    if (d <= 0) continue;
    if (d > kMaxDeclaredElements / known) return false;
    known *= d;
  }
  return true;
}

enum AttrKind : uint8_t { kInt = 0, kFloat = 1, kString = 2, kInts = 3, kFloats = 4, kTensor = 5 };

// ---------------------------------------------------------------- writing

void write_attribute(ByteWriter& w, const Attribute& a) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          w.u8(kInt), w.i64(x);
        } else if constexpr (std::is_same_v<T, float>) {
          w.u8(kFloat), w.f32(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          w.u8(kString), w.str(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          w.u8(kInts), w.u32(static_cast<uint32_t>(x.size()));
          for (int64_t v : x) w.i64(v);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          w.u8(kFloats), w.u32(static_cast<uint32_t>(x.size()));
          for (float v : x) w.f32(v);
        } else {
          static_assert(std::is_same_v<T, Tensor>);
          w.u8(kTensor), write_tensor_record(w, x, kHeaderBytes);
        }
      },
      a);
}

void write_payload(ByteWriter& w, const Graph& g) {
  w.str(g.name);
  w.u32(static_cast<uint32_t>(g.num_values()));
  for (ValueId v = 0; v < g.num_values(); ++v) {
    const Value& val = g.value(v);
    w.str(val.name);
    w.u8(static_cast<uint8_t>(val.type.dtype));
    w.u8(val.type.rank_known ? 1 : 0);
    const Shape& dims = val.type.rank_known ? val.type.shape : Shape{};
    w.u32(static_cast<uint32_t>(dims.size()));
    for (int64_t d : dims) w.i64(d);
  }
  auto ids = [&](const std::vector<ValueId>& list) {
    w.u32(static_cast<uint32_t>(list.size()));
    for (ValueId v : list) w.i32(v);
  };
  ids(g.inputs());
  ids(g.outputs());
  w.u32(static_cast<uint32_t>(g.nodes().size()));
  for (const Node& n : g.nodes()) {
    w.str(n.op);
    w.str(n.name);
    w.str(n.domain);
    ids(n.inputs);
    ids(n.outputs);
    w.u32(static_cast<uint32_t>(n.attrs.all().size()));
    for (const auto& [key, a] : n.attrs.all()) {
      w.str(key);
      write_attribute(w, a);
    }
  }
  w.u32(static_cast<uint32_t>(g.initializers().size()));
  for (const auto& [v, init] : g.initializers()) {
    w.i32(v);
    w.u8(static_cast<uint8_t>((init.trainable ? kInitTrainable : 0) | (init.mask.defined() ? kInitHasMask : 0)));
    write_tensor_record(w, init.data, kHeaderBytes);
    if (init.mask.defined()) write_tensor_record(w, init.mask, kHeaderBytes);
  }
}

// ---------------------------------------------------------------- reading

class PayloadParser {
 public:
  explicit PayloadParser(ByteReader& r) : r_(r) {}

  Graph parse() {
    Graph g;
    g.name = r_.str("graph name");
    read_values(g);
    for (ValueId v : read_ids("graph input", false)) g.inputs().push_back(v);
    for (ValueId v : read_ids("graph output", false)) g.add_output(v);
    uint32_t n_nodes = r_.count("node count", 4 * 5);  // 3 strings + 2 id lists, all at least 4 bytes
    std::set<std::string> node_names;
    for (uint32_t i = 0; i < n_nodes; ++i) {
      Node n = read_node();
      if (!node_names.insert(n.name).second) r_.corrupt("node name '" + n.name + "' is used twice");
      g.nodes().push_back(std::move(n));
    }
    read_initializers(g);
    if (r_.remaining() != 0) r_.corrupt(detail::concat(r_.remaining(), " unexpected bytes after the last section"));
    return g;
  }

 private:
  void read_values(Graph& g) {
    n_values_ = r_.count("value count", 4 + 1 + 1 + 4);
    for (uint32_t i = 0; i < n_values_; ++i) {
      std::string name = r_.str("value name");
      TensorType t;
      t.dtype = read_dtype(r_, "value '" + name + "'");
      uint8_t rank_known = r_.u8("rank flag");
      if (rank_known > 1) r_.corrupt(detail::concat("value '", name, "': bad rank flag ", int(rank_known)));
      t.rank_known = rank_known == 1;
      uint32_t rank = r_.u32("value rank");
      if (rank > kMaxValueRank || (!t.rank_known && rank != 0))
        r_.corrupt(detail::concat("value '", name, "': bad rank ", rank));
      for (uint32_t d = 0; d < rank; ++d) {
        int64_t dim = r_.i64("value dim");
        if (dim < -1) r_.corrupt(detail::concat("value '", name, "': bad dimension ", dim));
        t.shape.push_back(dim);
      }
      if (!declared_shape_is_sane(t.shape))
        r_.corrupt(detail::concat("value '", name, "': absurd shape ", shape_str(t.shape)));
      if (name.empty() || g.find_value(name) != kNoValue)
        r_.corrupt("value name '" + name + "' is empty or used twice");
      g.add_value(name, std::move(t));
    }
  }

  ValueId check_id(int32_t v, bool allow_omitted, const char* what) {
    if (allow_omitted && v == kNoValue) return v;
    if (v < 0 || static_cast<uint32_t>(v) >= n_values_)
      r_.corrupt(detail::concat(what, " refers to value id ", v, ", but the graph has ", n_values_, " values"));
    return v;
  }

  std::vector<ValueId> read_ids(const char* what, bool allow_omitted) {
    uint32_t n = r_.count(what, 4);
    std::vector<ValueId> ids;
    ids.reserve(n);
    for (uint32_t i = 0; i < n; ++i) ids.push_back(check_id(r_.i32(what), allow_omitted, what));
    return ids;
  }

  Node read_node() {
    Node n;
    n.op = r_.str("node op");
    n.name = r_.str("node name");
    n.domain = r_.str("node domain");
    std::string label = "node '" + n.name + "' (" + n.op + ")";
    n.inputs = read_ids("node input", true);
    n.outputs = read_ids("node output", false);
    uint32_t n_attrs = r_.count("attribute count", 4 + 1);
    for (uint32_t i = 0; i < n_attrs; ++i) {
      std::string key = r_.str("attribute name");
      if (n.attrs.has(key)) r_.corrupt(label + ": attribute '" + key + "' appears twice");
      n.attrs.set(key, read_attribute(label + " attribute '" + key + "'"));
    }
    return n;
  }

  Attribute read_attribute(const std::string& what) {
    uint8_t kind = r_.u8("attribute kind");
    switch (kind) {
      case kInt: return r_.i64("int attribute");
      case kFloat: return r_.f32("float attribute");
      case kString: return r_.str("string attribute");
      case kInts: {
        std::vector<int64_t> v(r_.count("ints attribute length", 8));
        for (int64_t& x : v) x = r_.i64("ints attribute");
        return v;
      }
      case kFloats: {
        std::vector<float> v(r_.count("floats attribute length", 4));
        for (float& x : v) x = r_.f32("floats attribute");
        return v;
      }
      case kTensor: return read_tensor_record(r_, what);
      default: r_.corrupt(detail::concat(what, ": unknown attribute kind ", int(kind)));
    }
  }

  void read_initializers(Graph& g) {
    uint32_t n = r_.count("initializer count", 4 + 1 + 14);
    for (uint32_t i = 0; i < n; ++i) {
      ValueId v = check_id(r_.i32("initializer id"), false, "initializer");
      std::string what = "initializer '" + g.value(v).name + "'";
      if (g.is_initializer(v)) r_.corrupt(what + " appears twice");
      uint8_t flags = r_.u8("initializer flags");
      if (flags & ~(kInitTrainable | kInitHasMask)) r_.corrupt(detail::concat(what, ": unknown flags ", int(flags)));
      Initializer init;
      init.trainable = (flags & kInitTrainable) != 0;
      init.data = read_tensor_record(r_, what);
      if (flags & kInitHasMask) init.mask = read_tensor_record(r_, what + " mask");
      g.initializers()[v] = std::move(init);
    }
  }

  ByteReader& r_;
  uint32_t n_values_ = 0;
};

}  // namespace

std::vector<uint8_t> serialize_model(const Graph& graph) {
  ByteWriter w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kModelFormatVersion);
  w.u32(0);
  w.u64(0);  // payload length, patched below
  ByteWriter payload;
  write_payload(payload, graph);
  w.patch_u64(16, payload.size());
  w.raw(payload.bytes().data(), payload.size());
  w.u32(crc32(w.bytes().data(), w.size()));
  return std::move(w.bytes());
}

Graph deserialize_model(const uint8_t* data, size_t size, const std::string& source) {
  if (size < kHeaderBytes + kTrailerBytes)
    fail(source, ": not a prunq model file (", size, " bytes, shorter than the ", kHeaderBytes + kTrailerBytes,
         "-byte header and checksum)");
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) fail(source, ": not a prunq model file (bad magic)");
  ByteReader header(data + sizeof kMagic, kHeaderBytes - sizeof kMagic, source, sizeof kMagic);
  uint32_t version = header.u32("version");
  uint32_t flags = header.u32("flags");
  uint64_t payload_len = header.u64("payload length");
  if (version == 0 || version > kModelFormatVersion)
    fail(source, ": model file format version ", version, " is not supported (this build reads versions 1 to ",
         kModelFormatVersion, "; a newer prunq wrote it?)");
  if (flags != 0) fail(source, ": unknown header flags 0x", std::hex, flags);
  if (payload_len != size - kHeaderBytes - kTrailerBytes)
    fail(source, ": file is ", size, " bytes but its header announces ", payload_len,
         " payload bytes (truncated or padded file)");
  ByteReader trailer(data + size - kTrailerBytes, kTrailerBytes, source, size - kTrailerBytes);
  uint32_t stored = trailer.u32("checksum");
  uint32_t computed = crc32(data, size - kTrailerBytes);
  if (stored != computed)
    fail(source, ": checksum mismatch (stored 0x", std::hex, stored, ", computed 0x", computed,
         "): the file is corrupt");
  ByteReader payload(data + kHeaderBytes, static_cast<size_t>(payload_len), source, kHeaderBytes);
  return PayloadParser(payload).parse();
}

void save_model(const Graph& graph, const std::string& path) {
  std::vector<uint8_t> bytes = serialize_model(graph);
  write_file_atomic(path, bytes.data(), bytes.size());
}

Graph load_model(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  return deserialize_model(bytes.data(), bytes.size(), path);
}

}  // namespace prunq
