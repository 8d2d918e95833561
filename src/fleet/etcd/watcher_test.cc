#include "fleet/etcd/watcher.h"

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/etcd/testing/watch_recorder.h"

namespace fleet::etcd {
namespace {

using testing::WatchRecorder;
using Strings = std::vector<std::string>;
constexpr auto kDeadline = std::chrono::seconds(10);

class WatcherTest : public testing::EtcdTestBase {
 protected:
  WatchOptions prefix_watch(Revision start = 0) {
    return {.key = prefix_, .range_end = prefix_end(prefix_), .start_revision = start};
  }
};

TEST_F(WatcherTest, FromARevisionReplaysHistoryThenFollowsLiveChanges) {
  auto first = client_->put(key("a"), "1");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(client_->put(key("a"), "2"));
  ASSERT_TRUE(client_->erase(key("a")));

  WatchRecorder recorder;
  auto watcher = Watcher::start(*client_, prefix_watch(*first), recorder.callback());
  ASSERT_TRUE(client_->put(key("b"), "live"));

  auto events = recorder.wait_for_events(4, kDeadline);
  EXPECT_EQ(WatchRecorder::describe(events),
            (Strings{"put " + key("a") + "=1", "put " + key("a") + "=2", "delete " + key("a"),
                     "put " + key("b") + "=live"}));
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GT(events[i].kv.mod_revision, events[i - 1].kv.mod_revision);
  }
  EXPECT_EQ(watcher->revision(), events.back().kv.mod_revision);
}

TEST_F(WatcherTest, FromNowSeesOnlyLaterChangesWithinItsRange) {
  ASSERT_TRUE(client_->put(key("before"), "x"));
  WatchRecorder recorder;
  auto watcher =
      Watcher::start(*client_, {.key = prefix_, .range_end = prefix_end(prefix_), .prev_kv = true},
                     recorder.callback());
  // The watch is in place once etcd answers a progress request for it.
  ASSERT_TRUE(recorder.wait_until_watching(*watcher, kDeadline));
  ASSERT_TRUE(client_->put("/elsewhere/" + prefix_, "not watched"));
  ASSERT_TRUE(client_->put(key("before"), "y"));

  auto events = recorder.wait_for_events(1, kDeadline);
  ASSERT_EQ(WatchRecorder::describe(events), (Strings{"put " + key("before") + "=y"}));
  ASSERT_TRUE(events[0].prev_kv.has_value());
  EXPECT_EQ(events[0].prev_kv->value, "x");
}

TEST_F(WatcherTest, ProgressRequestReportsTheRevisionSeenSoFar) {
  auto written = client_->put(key("k"), "v");
  ASSERT_TRUE(written.has_value());
  WatchRecorder recorder;
  auto watcher = Watcher::start(*client_, prefix_watch(), recorder.callback());
  ASSERT_TRUE(recorder.wait_until_watching(*watcher, kDeadline));
  for (const auto& update : recorder.updates()) {
    if (update.kind == WatchUpdate::Kind::kProgress) {
      EXPECT_GE(update.revision, *written);
    }
  }
}

TEST_F(WatcherTest, ResumesAcrossAnEtcdRestartWithoutLosingOrRepeatingAnEvent) {
  WatchRecorder recorder;
  auto watcher = Watcher::start(*client_, prefix_watch(), recorder.callback());
  ASSERT_TRUE(recorder.wait_until_watching(*watcher, kDeadline));
  ASSERT_TRUE(client_->put(key("1"), "before"));
  ASSERT_TRUE(client_->put(key("2"), "before"));
  ASSERT_EQ(recorder.wait_for_events(2, kDeadline).size(), 2u);

  server_->stop();
  ASSERT_TRUE(recorder.wait_for(WatchUpdate::Kind::kDisconnected, kDeadline));
  server_->start();
  // Written while the watcher is still away: it must catch up on these after it reconnects.
  auto away = client_->put(key("3"), "while away");
  ASSERT_TRUE(away.has_value()) << away.error().message;
  ASSERT_TRUE(client_->erase(key("1")));
  ASSERT_TRUE(recorder.wait_for(WatchUpdate::Kind::kResumed, kDeadline));
  ASSERT_TRUE(client_->put(key("4"), "after"));

  auto events = recorder.wait_for_events(5, kDeadline);
  EXPECT_EQ(WatchRecorder::describe(events),
            (Strings{"put " + key("1") + "=before", "put " + key("2") + "=before",
                     "put " + key("3") + "=while away", "delete " + key("1"),
                     "put " + key("4") + "=after"}));
}

TEST_F(WatcherTest, CompactionIsReportedAndRecoveredByRelisting) {
  auto old_revision = client_->put(key("k"), "1");
  ASSERT_TRUE(old_revision.has_value());
  ASSERT_TRUE(client_->put(key("k"), "2"));
  auto latest = client_->put(key("other"), "x");
  ASSERT_TRUE(latest.has_value());
  ASSERT_TRUE(client_->compact(*latest));

  WatchRecorder stale;
  auto watcher = Watcher::start(*client_, prefix_watch(*old_revision), stale.callback());
  ASSERT_TRUE(stale.wait_for(WatchUpdate::Kind::kCompacted, kDeadline));
  auto updates = stale.updates();
  ASSERT_EQ(updates.back().kind, WatchUpdate::Kind::kCompacted);
  EXPECT_EQ(updates.back().compact_revision, *latest);
  EXPECT_TRUE(stale.wait_for_events(1, std::chrono::milliseconds(0)).empty());

  // The caller's recovery: list the current state, then watch from just after it.
  auto listed = client_->list_prefix(prefix_);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->kvs.size(), 2u);
  EXPECT_EQ(listed->kvs[0].value, "2");
  WatchRecorder fresh;
  auto rewatch = Watcher::start(*client_, prefix_watch(listed->revision + 1), fresh.callback());
  ASSERT_TRUE(client_->put(key("k"), "3"));
  EXPECT_EQ(WatchRecorder::describe(fresh.wait_for_events(1, kDeadline)),
            (Strings{"put " + key("k") + "=3"}));
}

}  // namespace
}  // namespace fleet::etcd
