#include "fleet/etcd/internal/convert.h"

namespace fleet::etcd::internal {
namespace {

using pb = etcdserverpb::Compare;

pb::CompareTarget to_proto(Compare::Target target) {
  switch (target) {
    case Compare::Target::kVersion:
      return pb::VERSION;
    case Compare::Target::kCreateRevision:
      return pb::CREATE;
    case Compare::Target::kModRevision:
      return pb::MOD;
    case Compare::Target::kValue:
      return pb::VALUE;
    case Compare::Target::kLease:
      return pb::LEASE;
  }
  return pb::VERSION;
}

pb::CompareResult to_proto(Compare::Relation relation) {
  switch (relation) {
    case Compare::Relation::kEqual:
      return pb::EQUAL;
    case Compare::Relation::kGreater:
      return pb::GREATER;
    case Compare::Relation::kLess:
      return pb::LESS;
    case Compare::Relation::kNotEqual:
      return pb::NOT_EQUAL;
  }
  return pb::EQUAL;
}

void fill(const Compare& compare, etcdserverpb::Compare& out) {
  out.set_key(compare.key);
  if (!compare.range_end.empty()) out.set_range_end(compare.range_end);
  out.set_target(to_proto(compare.target));
  out.set_result(to_proto(compare.relation));
  switch (compare.target) {
    case Compare::Target::kVersion:
      out.set_version(compare.number);
      break;
    case Compare::Target::kCreateRevision:
      out.set_create_revision(compare.number);
      break;
    case Compare::Target::kModRevision:
      out.set_mod_revision(compare.number);
      break;
    case Compare::Target::kValue:
      out.set_value(compare.value);
      break;
    case Compare::Target::kLease:
      out.set_lease(compare.number);
      break;
  }
}

void fill(const Op& op, etcdserverpb::RequestOp& out) {
  switch (op.kind) {
    case Op::Kind::kRange: {
      auto options = op.range;
      options.range_end = op.range_end;
      *out.mutable_request_range() = to_range_request(op.key, options);
      break;
    }
    case Op::Kind::kPut: {
      auto* put = out.mutable_request_put();
      put->set_key(op.key);
      put->set_value(op.value);
      put->set_lease(op.lease);
      break;
    }
    case Op::Kind::kDelete: {
      auto* erase = out.mutable_request_delete_range();
      erase->set_key(op.key);
      erase->set_range_end(op.range_end);
      break;
    }
  }
}

}  // namespace

KeyValue from_proto(const etcdserverpb::KeyValue& kv) {
  return KeyValue{kv.key(),          kv.value(),   kv.create_revision(),
                  kv.mod_revision(), kv.version(), kv.lease()};
}

Event from_proto(const etcdserverpb::Event& event) {
  Event out;
  out.type = event.type() == etcdserverpb::Event::DELETE ? Event::Type::kDelete : Event::Type::kPut;
  out.kv = from_proto(event.kv());
  if (event.has_prev_kv()) out.prev_kv = from_proto(event.prev_kv());
  return out;
}

RangeResult from_proto(const etcdserverpb::RangeResponse& response) {
  RangeResult out;
  out.revision = response.header().revision();
  out.more = response.more();
  out.count = response.count();
  out.kvs.reserve(response.kvs_size());
  for (const auto& kv : response.kvs()) out.kvs.push_back(from_proto(kv));
  return out;
}

etcdserverpb::RangeRequest to_range_request(std::string_view key, const RangeOptions& options) {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(key));
  request.set_range_end(options.range_end);
  request.set_limit(options.limit);
  request.set_revision(options.revision);
  request.set_keys_only(options.keys_only);
  request.set_count_only(options.count_only);
  request.set_serializable(options.serializable);
  return request;
}

etcdserverpb::TxnRequest to_proto(const Txn& txn) {
  etcdserverpb::TxnRequest request;
  for (const auto& compare : txn.compare) fill(compare, *request.add_compare());
  for (const auto& op : txn.success) fill(op, *request.add_success());
  for (const auto& op : txn.failure) fill(op, *request.add_failure());
  return request;
}

TxnResult from_proto(const etcdserverpb::TxnResponse& response) {
  TxnResult out;
  out.succeeded = response.succeeded();
  out.revision = response.header().revision();
  for (const auto& op : response.responses()) {
    OpResult result;
    if (op.has_response_range()) {
      result.kind = Op::Kind::kRange;
      result.range = from_proto(op.response_range());
    } else if (op.has_response_put()) {
      result.kind = Op::Kind::kPut;
    } else if (op.has_response_delete_range()) {
      result.kind = Op::Kind::kDelete;
      result.deleted = op.response_delete_range().deleted();
    }
    out.responses.push_back(std::move(result));
  }
  return out;
}

}  // namespace fleet::etcd::internal
