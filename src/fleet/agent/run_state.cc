#include "fleet/agent/run_state.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fleet::agent {

std::string encode_run_state(const RunState& state) {
  nlohmann::json units = nlohmann::json::object();
  for (const auto& [name, unit] : state.held) {
    units[name] = {{"hash", unit.hash.hex()}, {"launched", unit.launched}};
  }
  return nlohmann::json{{"lease", state.lease}, {"machine", state.machine}, {"units", units}}
      .dump();
}

Result<RunState> decode_run_state(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [] { return fail(ErrorCode::kDataLoss, "not a saved agent state"); };
  if (!json.is_object() || !json["lease"].is_number_integer() || !json["units"].is_object() ||
      !(json["machine"].is_null() || json["machine"].is_string())) {
    return bad();
  }
  RunState state;
  state.lease = json["lease"].get<etcd::LeaseId>();
  if (json["machine"].is_string()) state.machine = json["machine"].get<std::string>();
  for (const auto& [name, unit] : json["units"].items()) {
    if (!unit.is_object() || !unit["hash"].is_string() || !unit["launched"].is_boolean()) {
      return bad();
    }
    auto hash = unit::UnitHash::from_hex(unit["hash"].get<std::string>());
    if (!hash) return bad();
    state.held[name] = HeldUnit{*hash, unit["launched"].get<bool>()};
  }
  return state;
}

RunState load_run_state(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  auto state = decode_run_state(text.str());
  return state ? *state : RunState{};
}

Status save_run_state(const std::filesystem::path& path, const RunState& state) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  const auto temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << encode_run_state(state) << '\n';
    if (!out.flush()) {
      return fail(ErrorCode::kInternal, "cannot write " + temporary);
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error)
    return fail(ErrorCode::kInternal, "cannot replace " + path.string() + ": " + error.message());
  return {};
}

}  // namespace fleet::agent
