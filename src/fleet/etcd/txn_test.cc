#include "fleet/etcd/txn.h"

#include <gtest/gtest.h>

namespace fleet::etcd {
namespace {

GuardedChange change_of(size_t guards, size_t ops) {
  GuardedChange change;
  for (size_t i = 0; i < guards; ++i) change.guards.push_back(Compare::absent("g"));
  for (size_t i = 0; i < ops; ++i) change.ops.push_back(Op::put("k", "v"));
  return change;
}

TEST(PrefixEndTest, SelectsExactlyThePrefix) {
  EXPECT_EQ(prefix_end("/fleet/"), "/fleet0");
  EXPECT_EQ(prefix_end("a"), "b");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end(std::string("\xff\xff", 2)), std::string(1, '\0'));
  EXPECT_EQ(prefix_end(""), std::string(1, '\0'));
}

TEST(PackChangesTest, FillsTransactionsUpToTheLimitWithoutSplittingAChange) {
  struct Case {
    std::string name;
    std::vector<GuardedChange> changes;
    size_t max_ops;
    std::vector<std::vector<size_t>> expected;
  };
  std::vector<Case> cases = {
      {"nothing", {}, 128, {}},
      {"one", {change_of(1, 1)}, 128, {{0}}},
      {"exactly full", {change_of(2, 2), change_of(2, 2)}, 4, {{0, 1}}},
      {"ops overflow", {change_of(1, 3), change_of(1, 2)}, 4, {{0}, {1}}},
      {"guards overflow", {change_of(3, 1), change_of(2, 1)}, 4, {{0}, {1}}},
      {"oversized alone", {change_of(0, 1), change_of(0, 9), change_of(0, 1)}, 4, {{0}, {1}, {2}}},
      {"keeps order", {change_of(1, 1), change_of(1, 1), change_of(1, 1)}, 2, {{0, 1}, {2}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(pack_changes(c.changes, c.max_ops), c.expected) << c.name;
  }
}

TEST(PackChangesTest, TenThousandSingleOpChangesNeedSeventyNineTransactions) {
  std::vector<GuardedChange> changes(10000, change_of(1, 1));
  auto txns = pack_changes(changes);
  EXPECT_EQ(txns.size(), 79u);  // ceil(10000 / 128)
  size_t total = 0;
  for (const auto& txn : txns) {
    EXPECT_LE(txn.size(), kMaxTxnOps);
    total += txn.size();
  }
  EXPECT_EQ(total, changes.size());
}

}  // namespace
}  // namespace fleet::etcd
