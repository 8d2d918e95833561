#include "fleet/base/group_commit.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fleet {
namespace {

TEST(GroupCommitTest, ALoneRequestIsCommittedAtOnceAndGetsItsOwnOutcome) {
  GroupCommit<int, int> squares(
      [](std::vector<int> batch) {
        for (int& n : batch) n *= n;
        return batch;
      },
      8);
  EXPECT_EQ(squares.submit(3), 9);
  EXPECT_EQ(squares.submit(4), 16);
  EXPECT_EQ(squares.batches(), 2u);
}

// While one batch is in flight, every request that arrives waits for the next one, and then all
// of them are committed together, each given its own outcome.
TEST(GroupCommitTest, RequestsArrivingDuringACommitShareTheNextOne) {
  constexpr int kLate = 6;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<size_t> sizes;
  GroupCommit<int, int> doubles(
      [&](std::vector<int> batch) {
        std::unique_lock lock(mu);
        sizes.push_back(batch.size());
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        for (int& n : batch) n *= 2;
        return batch;
      },
      kLate);

  std::vector<int> outcomes(kLate + 1);
  std::thread first([&] { outcomes[0] = doubles.submit(100); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return sizes.size() == 1; });  // the first batch is in flight
  }
  std::vector<std::thread> late;
  for (int i = 1; i <= kLate; ++i) late.emplace_back([&, i] { outcomes[i] = doubles.submit(i); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (doubles.waiting() < kLate && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(doubles.waiting(), static_cast<size_t>(kLate));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  first.join();
  for (auto& thread : late) thread.join();

  EXPECT_EQ(outcomes[0], 200);
  for (int i = 1; i <= kLate; ++i) EXPECT_EQ(outcomes[i], 2 * i);
  EXPECT_EQ(sizes, (std::vector<size_t>{1, kLate}));
  EXPECT_EQ(doubles.batches(), 2u);
}

TEST(GroupCommitTest, ABatchNeverExceedsTheLimit) {
  std::mutex mu;
  std::vector<size_t> sizes;
  GroupCommit<int, int> identity(
      [&](std::vector<int> batch) {
        std::lock_guard lock(mu);
        sizes.push_back(batch.size());
        return batch;
      },
      3);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] { wrong += identity.submit(i) != i; });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  size_t total = 0;
  for (size_t size : sizes) {
    EXPECT_LE(size, 3u);
    total += size;
  }
  EXPECT_EQ(total, 32u);
}

}  // namespace
}  // namespace fleet
