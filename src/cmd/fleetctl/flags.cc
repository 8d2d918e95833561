#include "cmd/fleetctl/flags.h"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>
#include <type_traits>

namespace fleet::fleetctl {
namespace {

Status invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

// Go's strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (text == yes) return true;
  }
  for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (text == no) return false;
  }
  return std::nullopt;
}

// Go's strconv.ParseInt and ParseFloat: one optional sign, then the digits. A float must also be
// finite: every float flag is a timeout, which "nan" or "inf" would turn into nonsense (and
// undefined behaviour once converted to milliseconds).
template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  if (text.starts_with('+')) {
    text.remove_prefix(1);
    if (text.starts_with('-')) return std::nullopt;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  return value;
}

// How Go prints a float64 default: the shortest text that reads back, "3" for 3.0.
std::string float_text(double value) {
  std::array<char, 32> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return error == std::errc() ? std::string(buffer.data(), end) : std::to_string(value);
}

class BoolValue final : public FlagValue {
 public:
  explicit BoolValue(bool* target) : target_(target) {}
  Status set(std::string_view text) override {
    auto value = parse_bool(text);
    if (!value) return invalid("not a boolean");
    *target_ = *value;
    return {};
  }
  bool is_bool() const override { return true; }

 private:
  bool* target_;
};

class StringValue final : public FlagValue {
 public:
  explicit StringValue(std::string* target) : target_(target) {}
  Status set(std::string_view text) override {
    *target_ = std::string(text);
    return {};
  }

 private:
  std::string* target_;
};

template <class T>
class NumberValue final : public FlagValue {
 public:
  NumberValue(T* target, std::string_view kind) : target_(target), kind_(kind) {}
  Status set(std::string_view text) override {
    auto value = parse_number<T>(text);
    if (!value) return invalid("not " + std::string(kind_));
    *target_ = *value;
    return {};
  }

 private:
  T* target_;
  std::string_view kind_;
};

// "-l, --full" or "--endpoint", as pflag names a flag in its errors.
std::string display_name(const Flag& flag) {
  std::string name = "--" + flag.name;
  return flag.shorthand ? std::string("-") + flag.shorthand + ", " + name : name;
}

Status set_flag(const Flag& flag, std::string_view text) {
  if (auto set = flag.value->set(text); !set) {
    return invalid("invalid argument \"" + std::string(text) + "\" for \"" + display_name(flag) +
                   "\" flag: " + set.error().message);
  }
  flag.value->changed = true;
  return {};
}

class Lookup {
 public:
  explicit Lookup(const std::vector<const FlagSet*>& sets) : sets_(sets) {}
  const Flag* find(std::string_view name) const {
    for (const auto* set : sets_) {
      if (const Flag* flag = set->find(name)) return flag;
    }
    return nullptr;
  }
  const Flag* find_shorthand(char shorthand) const {
    for (const auto* set : sets_) {
      if (const Flag* flag = set->find_shorthand(shorthand)) return flag;
    }
    return nullptr;
  }

 private:
  const std::vector<const FlagSet*>& sets_;
};

// `--name[=value]` at args[*i]; may take args[*i + 1] as the value.
Status parse_long(std::span<const std::string> args, size_t* i, const Lookup& lookup) {
  std::string_view arg = std::string_view(args[*i]).substr(2);
  auto eq = arg.find('=');
  std::string_view name = arg.substr(0, eq);
  const Flag* flag = lookup.find(name);
  if (!flag) return invalid("unknown flag: --" + std::string(name));
  if (eq != std::string_view::npos) return set_flag(*flag, arg.substr(eq + 1));
  if (flag->value->is_bool()) return set_flag(*flag, "true");
  if (*i + 1 >= args.size()) return invalid("flag needs an argument: --" + std::string(name));
  return set_flag(*flag, args[++*i]);
}

// `-abc` at args[*i]: boolean shorthands in a row, the first non-boolean one taking the rest of
// the word (or the next argument) as its value.
Status parse_shorthands(std::span<const std::string> args, size_t* i, const Lookup& lookup) {
  const std::string& word = args[*i];
  for (size_t pos = 1; pos < word.size(); ++pos) {
    const char c = word[pos];
    const Flag* flag = lookup.find_shorthand(c);
    if (!flag) return invalid(std::string("unknown shorthand flag: '") + c + "' in " + word);
    std::string_view rest = std::string_view(word).substr(pos + 1);
    if (flag->value->is_bool()) {
      if (rest.starts_with('=')) return set_flag(*flag, rest.substr(1));
      if (auto set = set_flag(*flag, "true"); !set) return set;
      continue;
    }
    if (rest.starts_with('=')) rest.remove_prefix(1);
    if (!rest.empty()) return set_flag(*flag, rest);
    if (*i + 1 >= args.size()) {
      return invalid(std::string("flag needs an argument: '") + c + "' in " + word);
    }
    return set_flag(*flag, args[++*i]);
  }
  return {};
}

}  // namespace

void FlagSet::add(std::string name, char shorthand, std::shared_ptr<FlagValue> value,
                  std::string default_text, std::string usage) {
  flags_.push_back({std::move(name),
                    shorthand,
                    std::move(value),
                    std::move(default_text),
                    std::move(usage),
                    {}});
}

void FlagSet::add_bool(std::string name, char shorthand, bool* target, std::string usage) {
  add(std::move(name), shorthand, std::make_shared<BoolValue>(target), *target ? "true" : "false",
      std::move(usage));
}

void FlagSet::add_string(std::string name, char shorthand, std::string* target, std::string usage) {
  add(std::move(name), shorthand, std::make_shared<StringValue>(target), *target, std::move(usage));
}

void FlagSet::add_int(std::string name, char shorthand, int* target, std::string usage) {
  add(std::move(name), shorthand, std::make_shared<NumberValue<int>>(target, "an integer"),
      std::to_string(*target), std::move(usage));
}

void FlagSet::add_float(std::string name, char shorthand, double* target, std::string usage) {
  add(std::move(name), shorthand, std::make_shared<NumberValue<double>>(target, "a number"),
      float_text(*target), std::move(usage));
}

void FlagSet::add_alias(std::string name, std::string_view of, std::string usage) {
  const Flag* original = find(of);
  // Copied before add(), whose push_back may move `original` elsewhere.
  ValueCompletion completion = original->completion;
  add(std::move(name), 0, original->value, original->default_text, std::move(usage));
  flags_.back().completion = std::move(completion);
}

void FlagSet::set_completion(std::string_view name, ValueCompletion completion) {
  for (auto& flag : flags_) {
    if (flag.name == name) {
      flag.completion = std::move(completion);
      return;
    }
  }
}

const Flag* FlagSet::find(std::string_view name) const {
  for (const auto& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const Flag* FlagSet::find_shorthand(char shorthand) const {
  for (const auto& flag : flags_) {
    if (flag.shorthand == shorthand) return &flag;
  }
  return nullptr;
}

Result<std::vector<std::string>> parse_flags(std::span<const std::string> args,
                                             const std::vector<const FlagSet*>& sets) {
  Lookup lookup(sets);
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    Status parsed;
    if (arg == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i + 1),
                        args.end());
      break;
    } else if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
    } else if (arg[1] == '-') {
      parsed = parse_long(args, &i, lookup);
    } else {
      parsed = parse_shorthands(args, &i, lookup);
    }
    if (!parsed) return fail(parsed.error());
  }
  return positional;
}

}  // namespace fleet::fleetctl
