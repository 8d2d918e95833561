// Turns concurrent requests into batches, each handled by one call (a group commit): the first
// caller to find no batch in flight commits everything queued so far, including its own request;
// callers arriving meanwhile queue for the next batch. Nobody waits for a batch to fill, so a lone
// caller commits at once, and under load each expensive call (an etcd transaction) serves many.
//
// Example:
//   GroupCommit<NewUnit, Result<Revision>> creates(
//       [&](std::vector<NewUnit> batch) { return registry.create_units(batch); }, 64);
//   auto revision = creates.submit(std::move(unit));  // from any number of threads
//
// `commit` runs on a caller's thread, never twice at once, and must return one outcome per
// request, in order. Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace fleet {

template <class Request, class Outcome>
class GroupCommit {
 public:
  using Commit = std::function<std::vector<Outcome>(std::vector<Request>)>;

  GroupCommit(Commit commit, size_t max_batch)
      : commit_(std::move(commit)), max_batch_(std::max<size_t>(max_batch, 1)) {}

  Outcome submit(Request request) {
    Slot slot{std::move(request), std::nullopt};
    std::unique_lock lock(mu_);
    queue_.push_back(&slot);
    while (!slot.outcome) {
      if (committing_) {
        committed_.wait(lock);
        continue;
      }
      committing_ = true;
      ++batches_;
      const size_t count = std::min(queue_.size(), max_batch_);
      std::vector<Slot*> batch(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(count));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(count));
      lock.unlock();
      std::vector<Request> requests;
      requests.reserve(batch.size());
      for (Slot* queued : batch) requests.push_back(std::move(queued->request));
      std::vector<Outcome> outcomes = commit_(std::move(requests));
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) batch[i]->outcome = std::move(outcomes.at(i));
      committing_ = false;
      committed_.notify_all();
    }
    return std::move(*slot.outcome);
  }

  // How many times `commit` ran.
  size_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

  // Requests queued for the next batch.
  size_t waiting() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  struct Slot {
    Request request;
    std::optional<Outcome> outcome;
  };

  const Commit commit_;
  const size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable committed_;
  std::deque<Slot*> queue_;  // guarded by mu_: requests not yet taken into a batch
  bool committing_ = false;  // guarded by mu_
  size_t batches_ = 0;       // guarded by mu_
};

}  // namespace fleet
