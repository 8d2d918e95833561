// Command-line flags the way fleetctl's Go flag library (spf13/pflag) reads them, so existing
// scripts keep working: `--name=value`, `--name value`, `--bool`, `--bool=false`, `-x` shorthands
// (grouped when boolean: `-lf`), `-n5` / `-n 5`, `--` ends the flags, flags and arguments mix.
//
// Example:
//   bool full = false;
//   FlagSet set;
//   set.add_bool("full", 'l', &full, "Do not ellipsize fields on output");
//   auto args = parse_flags({"-l", "x"}, {&set});  // full == true, *args == {"x"}
//
// Not thread-safe; values are written through the pointers given when flags are added.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"

namespace fleet::fleetctl {

// One typed value behind one or more flag names (a deprecated alias shares its flag's value).
class FlagValue {
 public:
  virtual ~FlagValue() = default;
  // kInvalidArgument `not a boolean`, `not an integer`, `not a number` for unreadable text (and
  // for a float that is not finite: "nan", "inf").
  virtual Status set(std::string_view text) = 0;
  virtual bool is_bool() const { return false; }
  // Whether a command line (or the environment) set the value.
  bool changed = false;
};

// What shell completion (completion.h) offers as a flag's value.
struct ValueCompletion {
  enum class Kind {
    kNone,        // nothing to offer
    kChoices,     // one of `choices`
    kChoiceList,  // a comma-separated list of `choices` (--fields)
    kPath,        // a local file
  };
  Kind kind = Kind::kNone;
  std::vector<std::string> choices{};
};

struct Flag {
  std::string name;
  char shorthand = 0;  // 0: none
  std::shared_ptr<FlagValue> value;
  std::string default_text;  // as help shows it: `--name=default`
  std::string usage;
  ValueCompletion completion{};
};

class FlagSet {
 public:
  void add_bool(std::string name, char shorthand, bool* target, std::string usage);
  void add_string(std::string name, char shorthand, std::string* target, std::string usage);
  void add_int(std::string name, char shorthand, int* target, std::string usage);
  void add_float(std::string name, char shorthand, double* target, std::string usage);
  // Another name for the flag `of` (added before), e.g. a deprecated spelling; it completes as
  // `of` does.
  void add_alias(std::string name, std::string_view of, std::string usage);
  // What completion offers for the value of `name` (added before).
  void set_completion(std::string_view name, ValueCompletion completion);

  const Flag* find(std::string_view name) const;
  const Flag* find_shorthand(char shorthand) const;
  // In the order they were added.
  const std::vector<Flag>& flags() const { return flags_; }

 private:
  void add(std::string name, char shorthand, std::shared_ptr<FlagValue> value,
           std::string default_text, std::string usage);

  std::vector<Flag> flags_;
};

// Reads `args` against `sets` (searched in order) and returns the arguments that are not flags.
// kInvalidArgument with pflag's wording: `unknown flag: --x`, `unknown shorthand flag: 'x' in
// -x`, `flag needs an argument: --endpoint`, `invalid argument "x" for "--full" flag: not a
// boolean`.
Result<std::vector<std::string>> parse_flags(std::span<const std::string> args,
                                             const std::vector<const FlagSet*>& sets);

}  // namespace fleet::fleetctl
