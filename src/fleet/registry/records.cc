#include "fleet/registry/records.h"

#include "fleet/records.pb.h"

namespace fleet::registry {
namespace {

namespace pb = fleet::records;

pb::DesiredState to_proto(unit::DesiredState state) {
  switch (state) {
    case unit::DesiredState::kInactive:
      return pb::INACTIVE;
    case unit::DesiredState::kLoaded:
      return pb::LOADED;
    case unit::DesiredState::kLaunched:
      return pb::LAUNCHED;
  }
  return pb::INACTIVE;
}

Result<unit::DesiredState> from_proto(std::string_view key, pb::DesiredState state) {
  switch (state) {
    case pb::INACTIVE:
      return unit::DesiredState::kInactive;
    case pb::LOADED:
      return unit::DesiredState::kLoaded;
    case pb::LAUNCHED:
      return unit::DesiredState::kLaunched;
    default:
      return fail(ErrorCode::kDataLoss, "etcd key " + std::string(key) +
                                            " holds unknown desired state " +
                                            std::to_string(static_cast<int>(state)));
  }
}

template <class Message>
Result<Message> parse(std::string_view key, std::string_view value, std::string_view what) {
  Message message;
  if (!message.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return fail(ErrorCode::kDataLoss, "etcd key " + std::string(key) + " does not hold a " +
                                          std::string(what) + " record (" +
                                          std::to_string(value.size()) + " bytes)");
  }
  return message;
}

Result<unit::UnitHash> hash_of(std::string_view key, const std::string& bytes) {
  auto hash = unit::UnitHash::from_bytes(bytes);
  if (!hash)
    return fail(ErrorCode::kDataLoss, "etcd key " + std::string(key) + ": " + hash.error().message);
  return hash;
}

template <class Message>
std::string serialize(const Message& message) {
  std::string out;
  message.SerializeToString(&out);
  return out;
}

}  // namespace

std::string encode(const UnitRecord& record) {
  pb::Unit message;
  message.set_hash(std::string(record.hash.bytes()));
  message.set_desired_state(to_proto(record.desired));
  message.set_global(record.global);
  return serialize(message);
}

std::string encode(const Assignment& record) {
  pb::Assignment message;
  message.set_hash(std::string(record.hash.bytes()));
  message.set_desired_state(to_proto(record.desired));
  return serialize(message);
}

std::string encode(const MachineRecord& record) {
  pb::Machine message;
  message.set_id(record.id);
  message.set_public_ip(record.public_ip);
  message.mutable_metadata()->insert(record.metadata.begin(), record.metadata.end());
  message.set_version(record.version);
  message.mutable_capabilities()->insert(record.capabilities.begin(), record.capabilities.end());
  message.set_api_address(record.api_address);
  return serialize(message);
}

std::string encode(const UnitStateRecord& record) {
  pb::UnitState message;
  message.set_hash(std::string(record.hash.bytes()));
  message.set_load_state(record.load_state);
  message.set_active_state(record.active_state);
  message.set_sub_state(record.sub_state);
  message.set_launched(record.launched);
  return serialize(message);
}

std::string encode(const LeaderRecord& record) {
  pb::Leader message;
  message.set_machine_id(record.machine_id);
  message.set_version(record.version);
  return serialize(message);
}

std::string encode_body(const unit::UnitFile& body) {
  pb::UnitBody message;
  for (const auto& section : body.sections()) {
    for (const auto& entry : section.entries) {
      auto* option = message.add_options();
      option->set_section(section.name);
      option->set_name(entry.name);
      option->set_value(entry.value);
    }
  }
  return serialize(message);
}

Result<UnitRecord> decode_unit(std::string_view key, std::string_view value) {
  auto message = parse<pb::Unit>(key, value, "unit");
  if (!message) return fail(message.error());
  auto hash = hash_of(key, message->hash());
  if (!hash) return fail(hash.error());
  auto desired = from_proto(key, message->desired_state());
  if (!desired) return fail(desired.error());
  return UnitRecord{*hash, *desired, message->global()};
}

Result<Assignment> decode_assignment(std::string_view key, std::string_view value) {
  auto message = parse<pb::Assignment>(key, value, "assignment");
  if (!message) return fail(message.error());
  auto hash = hash_of(key, message->hash());
  if (!hash) return fail(hash.error());
  auto desired = from_proto(key, message->desired_state());
  if (!desired) return fail(desired.error());
  return Assignment{*hash, *desired};
}

Result<MachineRecord> decode_machine(std::string_view key, std::string_view value) {
  auto message = parse<pb::Machine>(key, value, "machine");
  if (!message) return fail(message.error());
  MachineRecord record;
  record.id = message->id();
  record.public_ip = message->public_ip();
  record.metadata.insert(message->metadata().begin(), message->metadata().end());
  record.version = message->version();
  record.capabilities.insert(message->capabilities().begin(), message->capabilities().end());
  record.api_address = message->api_address();
  return record;
}

Result<UnitStateRecord> decode_unit_state(std::string_view key, std::string_view value) {
  auto message = parse<pb::UnitState>(key, value, "unit state");
  if (!message) return fail(message.error());
  auto hash = hash_of(key, message->hash());
  if (!hash) return fail(hash.error());
  return UnitStateRecord{*hash, message->load_state(), message->active_state(),
                         message->sub_state(), message->launched()};
}

Result<LeaderRecord> decode_leader(std::string_view key, std::string_view value) {
  auto message = parse<pb::Leader>(key, value, "engine leader");
  if (!message) return fail(message.error());
  return LeaderRecord{message->machine_id(), message->version()};
}

Result<unit::UnitFile> decode_body(std::string_view key, std::string_view value) {
  auto message = parse<pb::UnitBody>(key, value, "unit body");
  if (!message) return fail(message.error());
  unit::UnitFile body;
  for (const auto& option : message->options()) {
    body.add(option.section(), option.name(), option.value());
  }
  return body;
}

Metadata effective_metadata(const Metadata& configured, const Metadata& dynamic) {
  Metadata out = configured;
  for (const auto& [key, value] : dynamic) {
    if (value.empty()) {
      out.erase(key);
    } else {
      out.insert_or_assign(key, value);
    }
  }
  return out;
}

Result<std::string> decode_metadata_value(std::string_view, std::string_view value) {
  return std::string(value);
}

}  // namespace fleet::registry
