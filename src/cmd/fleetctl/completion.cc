#include "cmd/fleetctl/completion.h"

#include <set>
#include <string_view>
#include <vector>

#include "cmd/fleetctl/commands.h"

namespace fleet::fleetctl {
namespace {

// The parts that do not depend on the table. They read the command line up to the cursor from
// COMP_LINE and COMP_POINT rather than COMP_WORDS, which bash splits at '=' and ':' (both in
// fleetctl's flags and endpoints); only the reply is cut back to what bash replaces.
constexpr std::string_view kFunctions = R"BASH(
# The command that word $1 names: itself, or the only command it is a prefix of (as fleetctl
# accepts `list-m`).
_fleetctl_resolve() {
    local name match=""
    for name in $_fleetctl_commands; do
        if [[ "$name" == "$1" ]]; then
            echo "$name"
            return
        fi
    done
    for name in $_fleetctl_commands; do
        if [[ "$name" == "$1"* ]]; then
            [[ -n "$match" ]] && return
            match="$name"
        fi
    done
    echo "$match"
}

# Adds to `candidates` the values of flag $2 of command $1 that may complete $3, each after $4.
_fleetctl_values() {
    local spec kind value="$3" prefix="$4" choice
    spec="$(_fleetctl_flag_values "$1" "$2")"
    kind="${spec%% *}"
    local -a choices=()
    read -r -a choices <<<"${spec#"$kind"}"
    case "$kind" in
        choices)
            for choice in "${choices[@]}"; do candidates+=("$prefix$choice"); done
            ;;
        list)
            local chosen=""
            [[ "$value" == *,* ]] && chosen="${value%,*},"
            for choice in "${choices[@]}"; do candidates+=("$prefix$chosen$choice"); done
            nospace=1
            ;;
        path)
            while IFS= read -r choice; do candidates+=("$prefix$choice"); done \
                < <(compgen -f -- "$value")
            filenames=1
            ;;
    esac
}

# COMPREPLY: the candidates that complete $1, less the part of $1 bash keeps (up to its last
# word-break character).
_fleetctl_reply() {
    local cur="$1" prefix="" candidate i
    shift
    for ((i = ${#cur} - 1; i >= 0; i--)); do
        if [[ "$COMP_WORDBREAKS" == *"${cur:i:1}"* ]]; then
            prefix="${cur:0:i+1}"
            break
        fi
    done
    COMPREPLY=()
    for candidate in "$@"; do
        [[ "$candidate" == "$cur"* ]] && COMPREPLY+=("${candidate#"$prefix"}")
    done
}

_fleetctl() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a words=()
    read -r -a words <<<"$line"
    local cur=""
    if [[ -n "$line" && "$line" != *[[:space:]] ]]; then
        cur="${words[${#words[@]}-1]}"
        unset "words[${#words[@]}-1]"
    fi
    local prev="" command="" word i
    ((${#words[@]} > 1)) && prev="${words[${#words[@]}-1]}"
    # The global flags before the command, to list the registry's units with them.
    local -a globals=()
    for ((i = 1; i < ${#words[@]}; i++)); do
        word="${words[i]}"
        if [[ "$word" != -* ]]; then
            command="$(_fleetctl_resolve "$word")"
            break
        fi
        globals+=("$word")
        if [[ "$word" != *=* ]] && _fleetctl_takes_value "$word" && ((i + 1 < ${#words[@]})); then
            ((i++))
            globals+=("${words[i]}")
        fi
    done

    local -a candidates=()
    local nospace="" filenames=""
    if [[ "$cur" == -*=* ]]; then
        _fleetctl_values "$command" "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
    elif [[ "$prev" == -* && "$prev" != *=* ]] && _fleetctl_takes_value "$prev"; then
        _fleetctl_values "$command" "$prev" "$cur" ""
    elif [[ "$cur" == -* ]]; then
        read -r -a candidates <<<"$_fleetctl_global_flags $(_fleetctl_command_flags "$command")"
    elif [[ -z "$command" ]]; then
        read -r -a candidates <<<"$_fleetctl_commands"
    else
        case "$(_fleetctl_operands "$command")" in
            unit-files | path)
                while IFS= read -r word; do candidates+=("$word"); done < <(compgen -f -- "$cur")
                filenames=1
                ;;
            units)
                while IFS= read -r word; do candidates+=("$word"); done < <(
                    "${words[0]}" --request-timeout=2 "${globals[@]}" \
                        list-unit-files --no-legend --fields=unit 2>/dev/null)
                ;;
            command) read -r -a candidates <<<"$_fleetctl_commands" ;;
            shell) candidates=(bash) ;;
        esac
    fi
    _fleetctl_reply "$cur" "${candidates[@]}"
    if [[ -n "$nospace" || (${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *=) ]]; then
        compopt -o nospace 2>/dev/null
    fi
    [[ -n "$filenames" ]] && compopt -o filenames 2>/dev/null
    return 0
}

complete -F _fleetctl fleetctl
)BASH";

FlagSet global_flags() {
  static GlobalOptions defaults;
  FlagSet set;
  add_global_flags(set, defaults);
  return set;
}

FlagSet command_flags(const Command& command) {
  static CommandOptions defaults;
  FlagSet set;
  if (command.declare_flags) command.declare_flags(set, defaults);
  return set;
}

// "--fields= --full -l": what completing `-` offers; a value flag ends in '='.
std::string flag_words(const FlagSet& set) {
  std::set<std::string> words;
  for (const auto& flag : set.flags()) {
    words.insert("--" + flag.name + (flag.value->is_bool() ? "" : "="));
    if (flag.shorthand) words.insert(std::string("-") + flag.shorthand);
  }
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

// "choices API etcd", "list unit machine", "path", "" for none.
std::string value_spec(const ValueCompletion& completion) {
  switch (completion.kind) {
    case ValueCompletion::Kind::kChoices:
      return "choices " + joined(completion.choices, " ");
    case ValueCompletion::Kind::kChoiceList:
      return "list " + joined(completion.choices, " ");
    case ValueCompletion::Kind::kPath:
      return "path";
    case ValueCompletion::Kind::kNone:
      break;
  }
  return "";
}

std::string_view operands_word(Operands operands) {
  switch (operands) {
    case Operands::kUnitFiles:
      return "unit-files";
    case Operands::kUnits:
      return "units";
    case Operands::kCommand:
      return "command";
    case Operands::kPath:
      return "path";
    case Operands::kShell:
      return "shell";
    case Operands::kNone:
      break;
  }
  return "";
}

std::string case_line(std::string_view pattern, std::string_view body) {
  return "        " + std::string(pattern) + ") " + std::string(body) + " ;;\n";
}

}  // namespace

std::string bash_completion_script() {
  const FlagSet globals = global_flags();
  std::vector<std::string> names;
  std::set<std::string> value_flags;
  std::string flags_cases, values_cases, operands_cases;
  for (const auto& flag : globals.flags()) {
    if (!flag.value->is_bool()) value_flags.insert("--" + flag.name);
    if (auto spec = value_spec(flag.completion); !spec.empty()) {
      values_cases += case_line("*\" --" + flag.name + "\"", "echo \"" + spec + "\"");
    }
  }
  std::string command_values_cases;
  for (const Command* command : commands()) {
    const std::string name(command->name);
    names.push_back(name);
    const FlagSet set = command_flags(*command);
    if (!set.flags().empty()) flags_cases += case_line(name, "echo \"" + flag_words(set) + "\"");
    for (const auto& flag : set.flags()) {
      if (!flag.value->is_bool()) value_flags.insert("--" + flag.name);
      if (auto spec = value_spec(flag.completion); !spec.empty()) {
        command_values_cases +=
            case_line("\"" + name + " --" + flag.name + "\"", "echo \"" + spec + "\"");
      }
    }
    if (auto word = operands_word(command->operands); !word.empty()) {
      operands_cases += case_line(name, "echo " + std::string(word));
    }
  }

  std::string script =
      "# bash completion for fleetctl\n"
      "# Generated by `fleetctl completion bash` from fleetctl's command table; do not edit.\n"
      "# Install as /usr/share/bash-completion/completions/fleetctl, or source it.\n"
      "\n";
  script += "_fleetctl_commands=\"" + joined(names, " ") + "\"\n";
  script += "_fleetctl_global_flags=\"" + flag_words(globals) + "\"\n\n";
  script += "# The flags of command $1.\n_fleetctl_command_flags() {\n    case \"$1\" in\n" +
            flags_cases + "    esac\n}\n\n";
  script +=
      "# Whether flag $1 takes a value, which may follow as the next word.\n"
      "_fleetctl_takes_value() {\n    case \"$1\" in\n" +
      case_line(joined({value_flags.begin(), value_flags.end()}, " | "), "return 0") +
      "    esac\n    return 1\n}\n\n";
  script +=
      "# What the value of flag $2 of command $1 is: \"choices A B\", \"list A B\" (comma\n"
      "# separated) or \"path\".\n_fleetctl_flag_values() {\n    case \"$1 $2\" in\n" +
      command_values_cases + values_cases + "    esac\n}\n\n";
  script +=
      "# What the arguments of command $1 are.\n_fleetctl_operands() {\n    case \"$1\" in\n" +
      operands_cases + "    esac\n}\n";
  script += kFunctions;
  return script;
}

}  // namespace fleet::fleetctl
