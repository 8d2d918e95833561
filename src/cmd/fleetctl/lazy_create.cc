#include "cmd/fleetctl/lazy_create.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleet/unit/fleet_options.h"
#include "fleet/unit/unit_name.h"

#include "cmd/fleetctl/waiter.h"

namespace fleet::fleetctl {
namespace {

namespace fs = std::filesystem;

// A unit file found on disk, and where.
struct LocalUnit {
  unit::UnitFile file;
  std::string path;
  bool is_template = false;
};

Status not_found(std::string message) { return fail(ErrorCode::kNotFound, std::move(message)); }

// The file an argument names: the argument with the type its unit name got ("foo" reads
// foo.service).
std::string path_of(const std::string& argument) {
  const std::string name = unit_name_of(argument);
  const std::string base = fs::path(argument).filename().string();
  return name.size() > base.size() && name.starts_with(base) ? argument + name.substr(base.size())
                                                             : argument;
}

// The unit file at `path`; nullopt when there is none.
Result<std::optional<unit::UnitFile>> read_unit_file(const std::string& path,
                                                     const std::string& name) {
  std::error_code error;
  if (!fs::exists(path, error)) return std::optional<unit::UnitFile>();
  const bool directory = fs::is_directory(path, error);
  std::ifstream in(path, std::ios::binary);
  if (directory || !in) {
    return fail(ErrorCode::kInvalidArgument,
                "failed getting Unit(" + name + ") from file " + path + ": " +
                    (directory ? "is a directory" : std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto file = unit::UnitFile::parse(text.str(), name);
  if (!file) {
    return fail(file.error().code,
                "failed getting Unit(" + name + ") from file: " + file.error().message);
  }
  return std::optional<unit::UnitFile>(std::move(*file));
}

// The template of instance `info` next to `path`.
std::string template_path(const std::string& path, const unit::UnitNameInfo& info) {
  return (fs::path(path).parent_path() / info.template_name).string();
}

// What to compare a registry unit with: the local file, else an instance's local template.
Result<std::optional<LocalUnit>> local_unit(const std::string& path, const std::string& name) {
  auto file = read_unit_file(path, name);
  if (!file) return fail(file.error());
  if (*file) return std::optional<LocalUnit>(LocalUnit{std::move(**file), path, false});
  auto info = unit::parse_unit_name(name);
  if (!info || !info->is_instance()) return std::optional<LocalUnit>();
  const std::string template_file = template_path(path, *info);
  auto tmpl = read_unit_file(template_file, info->template_name);
  if (!tmpl) return fail(tmpl.error());
  if (!*tmpl) return std::optional<LocalUnit>();
  return std::optional<LocalUnit>(LocalUnit{std::move(**tmpl), template_file, true});
}

void warn_differs(Context& context, const std::string& name, const LocalUnit& local) {
  context.err() << "WARNING: Unit " << name << " in registry differs from local "
                << (local.is_template ? "template unit file " : "unit file ") << local.path
                << ". Add --replace to override.\n";
}

// For a unit already in the registry: the contents to replace it with (--replace, local file
// differs, desired state allows it), or nullopt to leave it be.
Result<std::optional<unit::UnitFile>> replacement_for(
    Context& context, const schema::Unit& existing, const std::string& path,
    const std::vector<unit::DesiredState>& replaceable) {
  auto local = local_unit(path, existing.name);
  if (!local) return fail(local.error());
  const bool differs = *local && (*local)->file.hash() != schema::unit_file(existing).hash();
  if (!context.options().replace) {
    if (differs) warn_differs(context, existing.name, **local);
    return std::optional<unit::UnitFile>();
  }
  if (!*local) {
    return fail(not_found("cannot replace Unit(" + existing.name + "): no local unit file " + path)
                    .error());
  }
  if (!differs) {
    context.out() << "Found same Unit(" << existing.name << ") in Registry, nothing to do\n";
    return std::optional<unit::UnitFile>();
  }
  auto desired = unit::parse_desired_state(existing.desired_state);
  if (!desired ||
      std::find(replaceable.begin(), replaceable.end(), *desired) == replaceable.end()) {
    context.err() << "Warning: can not replace Unit(" << existing.name << ") in state '"
                  << existing.desired_state << "', use the appropriate command\n";
    return std::optional<unit::UnitFile>();
  }
  return std::optional<unit::UnitFile>(std::move((*local)->file));
}

// For a unit not in the registry: its local file, else (for an instance) its template from the
// registry, else the template next to the argument.
Result<unit::UnitFile> new_unit_file(Context& context, const std::string& path,
                                     const std::string& name) {
  auto file = read_unit_file(path, name);
  if (!file) return fail(file.error());
  if (*file) return std::move(**file);
  auto info = unit::parse_unit_name(name);
  if (!info || !info->is_instance()) {
    return fail(
        not_found("unable to find Unit(" + name + ") in Registry or on filesystem").error());
  }
  auto registered = context.api().unit(info->template_name);
  if (!registered) {
    return fail(registered.error().code, "error retrieving template Unit(" + info->template_name +
                                             ") from Registry: " + registered.error().message);
  }
  if (*registered) {
    auto registry_file = schema::unit_file(**registered);
    auto local = read_unit_file(template_path(path, *info), info->template_name);
    if (local && *local && (*local)->hash() != registry_file.hash()) {
      warn_differs(context, info->template_name,
                   LocalUnit{std::move(**local), template_path(path, *info), true});
    }
    return registry_file;
  }
  auto local = read_unit_file(template_path(path, *info), info->template_name);
  if (!local) return fail(local.error());
  if (!*local) {
    return fail(not_found("unable to find Unit(" + name + ") or template Unit(" +
                          info->template_name + ") in Registry or on filesystem")
                    .error());
  }
  return std::move(**local);
}

Status create(Context& context, const std::string& name, const unit::UnitFile& file) {
  for (const auto& key : unit::parse_fleet_options(file, name).unknown_keys) {
    context.err() << "WARNING: " << unit::unrecognized_requirement_warning(name, key) << "\n";
  }
  schema::Unit unit;
  unit.name = name;
  unit.options = file.options();
  if (auto created = context.api().create_unit(unit); !created) {
    return fail(created.error().code,
                "failed creating unit " + name + ": " + created.error().message);
  }
  context.debug("Created Unit(" + name + ") in Registry");
  return {};
}

}  // namespace

std::string unit_name_of(const std::string& argument) { return unit::mangle_unit_name(argument); }

Status lazy_create_units(Context& context, const std::vector<std::string>& args,
                         const std::vector<unit::DesiredState>& replaceable) {
  std::vector<std::string> created;
  for (const auto& arg : args) {
    const std::string name = unit_name_of(arg);
    const std::string path = path_of(arg);
    auto existing = context.api().unit(name);
    if (!existing) {
      return fail(existing.error().code,
                  "error retrieving Unit(" + name + ") from Registry: " + existing.error().message);
    }
    std::optional<unit::UnitFile> file;
    if (*existing) {
      auto replacement = replacement_for(context, **existing, path, replaceable);
      if (!replacement) return fail(replacement.error());
      if (!*replacement) continue;
      file = std::move(**replacement);
    } else {
      auto found = new_unit_file(context, path, name);
      if (!found) return fail(found.error());
      file = std::move(*found);
    }
    if (auto done = create(context, name, *file); !done) return done;
    created.push_back(name);
  }

  auto late = Waiter(context).wait_for_state(created, unit::DesiredState::kInactive);
  for (const auto& why : late) context.err() << "Error waiting on unit creation: " << why << "\n";
  if (!late.empty()) return fail(ErrorCode::kDeadlineExceeded, "One or more errors creating units");
  return {};
}

Result<std::vector<schema::Unit>> set_desired_states(Context& context,
                                                     const std::vector<std::string>& args,
                                                     unit::DesiredState state) {
  std::vector<schema::Unit> changed;
  for (const auto& arg : args) {
    const std::string name = unit_name_of(arg);
    auto unit = context.api().unit(name);
    if (!unit) {
      return fail(unit.error().code,
                  "error retrieving unit " + name + " from registry: " + unit.error().message);
    }
    if (!*unit) return fail(ErrorCode::kNotFound, "unable to find unit " + name);
    if ((*unit)->desired_state == unit::to_string(state)) {
      context.debug("Unit(" + name + ") already " + (*unit)->desired_state + ", skipping.");
      continue;
    }
    if (auto set = context.api().set_desired_state(name, state); !set) return fail(set.error());
    changed.push_back(std::move(**unit));
  }
  return changed;
}

}  // namespace fleet::fleetctl
