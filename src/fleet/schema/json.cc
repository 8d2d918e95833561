#include "fleet/schema/json.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

namespace fleet::schema {
namespace {

using Json = nlohmann::json;

// Writes JSON text directly: a page of thousands of units is encoded per request, and building
// nlohmann's document first costs several times more. Keys come in the order nlohmann's sorted
// objects gave them (the wire format the tests pin down); empty values are left out.
class Writer {
 public:
  void open() {
    out_ += '{';
    first_ = true;
  }
  void close() {
    out_ += '}';
    first_ = false;  // the object was a value in its parent
  }
  void key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    string(name);
    out_ += ':';
  }
  // A string field, left out when empty.
  void field(std::string_view name, const std::string& value) {
    if (value.empty()) return;
    key(name);
    string(value);
  }
  template <class T>
  void array(const std::vector<T>& items) {
    out_ += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ += ',';
      write(*this, items[i]);
    }
    out_ += ']';
    first_ = false;
  }
  void string(std::string_view text) {
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
      out_ += '"';
      out_ += text;
      out_ += '"';
      return;
    }
    // Escapes and UTF-8 exactly as nlohmann writes them; invalid UTF-8 in a unit (the parser
    // takes bytes as they come) becomes U+FFFD rather than making dump() throw.
    out_ += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  void raw(std::string_view text) { out_ += text; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool first_ = true;
};

void write(Writer& w, const UnitOption& option) {
  w.open();
  w.field("name", option.name);
  w.field("section", option.section);
  w.field("value", option.value);
  w.close();
}

void write(Writer& w, const Unit& unit) {
  w.open();
  w.field("currentState", unit.current_state);
  w.field("desiredState", unit.desired_state);
  w.field("machineID", unit.machine_id);
  w.field("name", unit.name);
  if (!unit.options.empty()) {
    w.key("options");
    w.array(unit.options);
  }
  w.close();
}

void write(Writer& w, const UnitState& state) {
  w.open();
  w.field("hash", state.hash);
  w.field("machineID", state.machine_id);
  w.field("name", state.name);
  w.field("systemdActiveState", state.systemd_active_state);
  w.field("systemdLoadState", state.systemd_load_state);
  w.field("systemdSubState", state.systemd_sub_state);
  w.close();
}

void write(Writer& w, const Machine& machine) {
  w.open();
  w.field("id", machine.id);
  if (!machine.metadata.empty()) {
    w.key("metadata");
    w.open();
    for (const auto& [name, value] : machine.metadata) {
      w.key(name);
      w.string(value);
    }
    w.close();
  }
  w.field("primaryIP", machine.primary_ip);
  w.close();
}

void write(Writer& w, const MachineMetadataOp& op) {
  w.open();
  w.field("op", op.op);
  w.field("path", op.path);
  if (!op.value.empty()) {
    w.key("value");
    w.open();
    w.field("value", op.value);
    w.close();
  }
  w.close();
}

template <class T>
std::string page_text(std::string_view key, const std::vector<T>& items, const std::string& token) {
  Writer w;
  w.open();
  const bool items_first = key < "nextPageToken";
  if (!items_first) w.field("nextPageToken", token);
  if (!items.empty()) {
    w.key(key);
    w.array(items);
  }
  if (items_first) w.field("nextPageToken", token);
  w.close();
  return w.take();
}

template <class T>
std::string text_of(const T& value) {
  Writer w;
  write(w, value);
  return w.take();
}

Status invalid(const std::string& where, const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, where.empty() ? what : where + ": " + what);
}

std::string quoted(const char* key) { return std::string("\"") + key + "\""; }

// A JSON object being read into a struct. `where` places it in the document for messages
// (`"options"[2]`); empty for the document itself. A missing or null field leaves the target as
// it is, as Go's decoder does.
class ObjectReader {
 public:
  static Result<ObjectReader> open(const Json& value, std::string where) {
    if (!value.is_object() && !value.is_null()) {
      return fail(invalid(where, "expected a JSON object").error());
    }
    return ObjectReader(value, std::move(where));
  }

  Status read(const char* key, std::string& out) const {
    const Json* field = find(key);
    if (!field) return {};
    if (!field->is_string()) return invalid(where_, quoted(key) + " must be a string");
    out = field->get<std::string>();
    return {};
  }

  Status read(const char* key, int& out) const {
    const Json* field = find(key);
    if (!field) return {};
    if (!field->is_number_integer() || field->get<int64_t>() < std::numeric_limits<int>::min() ||
        field->get<int64_t>() > std::numeric_limits<int>::max()) {
      return invalid(where_, quoted(key) + " must be an integer");
    }
    out = field->get<int>();
    return {};
  }

  Status read(const char* key, std::map<std::string, std::string>& out) const {
    const Json* field = find(key);
    if (!field) return {};
    if (!field->is_object()) return invalid(where_, quoted(key) + " must be an object");
    for (const auto& [name, value] : field->items()) {
      if (!value.is_string()) {
        return invalid(where_, quoted(key) + "[\"" + name + "\"] must be a string");
      }
      out[name] = value.get<std::string>();
    }
    return {};
  }

  // Reads each element of the array `key` with `read_item(element, where)`.
  template <class T>
  Status read(const char* key, std::vector<T>& out,
              Result<T> (*read_item)(const Json&, std::string)) const {
    const Json* field = find(key);
    if (!field) return {};
    if (!field->is_array()) return invalid(where_, quoted(key) + " must be an array");
    out.clear();
    out.reserve(field->size());
    for (size_t i = 0; i < field->size(); ++i) {
      std::string item_where =
          (where_.empty() ? "" : where_ + ".") + quoted(key) + "[" + std::to_string(i) + "]";
      auto item = read_item((*field)[i], std::move(item_where));
      if (!item) return fail(item.error());
      out.push_back(std::move(*item));
    }
    return {};
  }

  // The nested object `key` (an empty JSON object when missing or null).
  Result<ObjectReader> object(const char* key) const {
    static const Json empty_object = Json::object();
    const Json* field = find(key);
    return open(field ? *field : empty_object, (where_.empty() ? "" : where_ + ".") + quoted(key));
  }

 private:
  ObjectReader(const Json& value, std::string where) : value_(value), where_(std::move(where)) {}

  const Json* find(const char* key) const {
    if (!value_.is_object()) return nullptr;
    auto it = value_.find(key);
    if (it == value_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const Json& value_;
  std::string where_;
};

// Runs the reads left to right and stops at the first that fails.
template <class... Reads>
Status read_all(Reads... reads) {
  Status status;
  (void)((status = reads(), status.has_value()) && ...);
  return status;
}

Result<UnitOption> option_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  UnitOption option;
  auto read = read_all([&] { return reader->read("section", option.section); },
                       [&] { return reader->read("name", option.name); },
                       [&] { return reader->read("value", option.value); });
  if (!read) return fail(read.error());
  return option;
}

Result<Unit> unit_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  Unit unit;
  auto read = read_all([&] { return reader->read("name", unit.name); },
                       [&] { return reader->read("options", unit.options, option_from); },
                       [&] { return reader->read("desiredState", unit.desired_state); },
                       [&] { return reader->read("currentState", unit.current_state); },
                       [&] { return reader->read("machineID", unit.machine_id); });
  if (!read) return fail(read.error());
  return unit;
}

Result<UnitState> unit_state_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  UnitState state;
  auto read =
      read_all([&] { return reader->read("name", state.name); },
               [&] { return reader->read("hash", state.hash); },
               [&] { return reader->read("machineID", state.machine_id); },
               [&] { return reader->read("systemdLoadState", state.systemd_load_state); },
               [&] { return reader->read("systemdActiveState", state.systemd_active_state); },
               [&] { return reader->read("systemdSubState", state.systemd_sub_state); });
  if (!read) return fail(read.error());
  return state;
}

Result<Machine> machine_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  Machine machine;
  auto read = read_all([&] { return reader->read("id", machine.id); },
                       [&] { return reader->read("primaryIP", machine.primary_ip); },
                       [&] { return reader->read("metadata", machine.metadata); });
  if (!read) return fail(read.error());
  return machine;
}

template <class Page, class Item>
Result<Page> page_from(const Json& json, const char* key, std::vector<Item> Page::*items,
                       Result<Item> (*read_item)(const Json&, std::string)) {
  auto reader = ObjectReader::open(json, "");
  if (!reader) return fail(reader.error());
  Page page;
  auto read = read_all([&] { return reader->read(key, page.*items, read_item); },
                       [&] { return reader->read("nextPageToken", page.next_page_token); });
  if (!read) return fail(read.error());
  return page;
}

Result<ErrorBody> error_body_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  auto error = reader->object("error");
  if (!error) return fail(error.error());
  ErrorBody body;
  auto read = read_all([&] { return error->read("code", body.code); },
                       [&] { return error->read("message", body.message); });
  if (!read) return fail(read.error());
  return body;
}

Result<MachineMetadataOp> metadata_op_from(const Json& json, std::string where) {
  auto reader = ObjectReader::open(json, std::move(where));
  if (!reader) return fail(reader.error());
  MachineMetadataOp op;
  auto read = read_all([&] { return reader->read("op", op.op); },
                       [&] { return reader->read("path", op.path); },
                       [&]() -> Status {
                         auto value = reader->object("value");
                         if (!value) return fail(value.error());
                         return value->read("value", op.value);
                       });
  if (!read) return fail(read.error());
  return op;
}

Result<std::vector<MachineMetadataOp>> metadata_ops_from(const Json& json) {
  if (json.is_null()) return std::vector<MachineMetadataOp>();
  if (!json.is_array()) return fail(invalid("", "expected a JSON array").error());
  std::vector<MachineMetadataOp> ops;
  ops.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    auto op = metadata_op_from(json[i], "[" + std::to_string(i) + "]");
    if (!op) return fail(op.error());
    ops.push_back(std::move(*op));
  }
  return ops;
}

// fleet's documents nest four deep ({"units":[{"options":[{...}]}]}); the rest is room for fields
// a newer peer adds. nlohmann parses and frees without recursion, but spends memory per level, and
// a request body of "[" is a million levels.
constexpr size_t kMaxDepth = 64;

// Whether `text` opens more than kMaxDepth arrays and objects at once, brackets in strings aside.
// Malformed text may be counted wrong; the parser refuses it anyway.
bool too_deep(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// Parses `text` and reads it with `read`; malformed JSON is kInvalidArgument with the parser's
// description of where it broke.
template <class T, class Read>
Result<T> decode(std::string_view text, Read read) {
  if (too_deep(text)) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::exception& e) {
    return fail(ErrorCode::kInvalidArgument, std::string("invalid JSON: ") + e.what());
  }
  return read(json);
}

}  // namespace

std::string encode(const Unit& unit) { return text_of(unit); }
std::string encode(const UnitState& state) { return text_of(state); }
std::string encode(const Machine& machine) { return text_of(machine); }
std::string encode(const UnitPage& page) {
  return page_text("units", page.units, page.next_page_token);
}
std::string encode(const UnitStatePage& page) {
  return page_text("states", page.states, page.next_page_token);
}
std::string encode(const MachinePage& page) {
  return page_text("machines", page.machines, page.next_page_token);
}
std::string encode(const ErrorBody& error) {
  // The message is always present, even when empty (spec §2.2).
  Writer w;
  w.open();
  w.key("error");
  w.open();
  w.key("code");
  w.raw(std::to_string(error.code));
  w.key("message");
  w.string(error.message);
  w.close();
  w.close();
  return w.take();
}

std::string encode(const std::vector<MachineMetadataOp>& ops) {
  Writer w;
  w.array(ops);
  return w.take();
}

Result<Unit> decode_unit(std::string_view json) {
  return decode<Unit>(json, [](const Json& j) { return unit_from(j, ""); });
}
Result<UnitState> decode_unit_state(std::string_view json) {
  return decode<UnitState>(json, [](const Json& j) { return unit_state_from(j, ""); });
}
Result<Machine> decode_machine(std::string_view json) {
  return decode<Machine>(json, [](const Json& j) { return machine_from(j, ""); });
}
Result<UnitPage> decode_unit_page(std::string_view json) {
  return decode<UnitPage>(
      json, [](const Json& j) { return page_from(j, "units", &UnitPage::units, unit_from); });
}
Result<UnitStatePage> decode_unit_state_page(std::string_view json) {
  return decode<UnitStatePage>(json, [](const Json& j) {
    return page_from(j, "states", &UnitStatePage::states, unit_state_from);
  });
}
Result<MachinePage> decode_machine_page(std::string_view json) {
  return decode<MachinePage>(json, [](const Json& j) {
    return page_from(j, "machines", &MachinePage::machines, machine_from);
  });
}
Result<ErrorBody> decode_error_body(std::string_view json) {
  return decode<ErrorBody>(json, [](const Json& j) { return error_body_from(j, ""); });
}

Result<std::vector<MachineMetadataOp>> decode_machine_metadata_ops(std::string_view json) {
  return decode<std::vector<MachineMetadataOp>>(json, metadata_ops_from);
}

}  // namespace fleet::schema
