// Conversions between fleet's etcd values and the wire messages.
#pragma once

#include "fleet/etcd/txn.h"
#include "fleet/etcd/types.h"

#include "etcd/etcd_rpc.pb.h"

namespace fleet::etcd::internal {

KeyValue from_proto(const etcdserverpb::KeyValue& kv);
Event from_proto(const etcdserverpb::Event& event);
RangeResult from_proto(const etcdserverpb::RangeResponse& response);

etcdserverpb::RangeRequest to_range_request(std::string_view key, const RangeOptions& options);
etcdserverpb::TxnRequest to_proto(const Txn& txn);
TxnResult from_proto(const etcdserverpb::TxnResponse& response);

}  // namespace fleet::etcd::internal
