// GET /fleet/x1/events on the real server over a real etcd: changes made through the API and
// the registry arrive as events with the JSON the GETs answer, a resumed stream replays what it
// missed (from the shared window or from etcd's history), the stream cap answers 503, and
// `fleetctl watch` prints the changes live.
#include "fleet/api/registry_event_feed.h"

#include <functional>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fleet/api/testing/api_server_test_base.h"
#include "fleet/client/http_fleet_api.h"

#include "fixtures/child_process.h"

namespace fleet::api {
namespace {

using namespace std::chrono_literals;
using client::ServerEvent;
using fleet::testing::eventually;
using testing::kUnitJson;

constexpr auto kDeadline = 10s;

// A client following the stream on a thread of its own.
class Watching {
 public:
  Watching(const std::string& socket, client::EventsRequest request)
      : api_(client::HttpFleetApi::open({.endpoint = "unix://" + socket}).value()) {
    thread_ = std::thread([this, request] {
      auto streamed = api_->watch_events(request, [this](const ServerEvent* event) {
        std::lock_guard lock(mu_);
        if (event) events_.push_back(*event);
        return !stop_;
      });
      std::lock_guard lock(mu_);
      ended_ = true;
      if (!streamed) error_ = streamed.error().message;
    });
  }
  ~Watching() { stop(); }

  // Closes the connection (within the second the client waits between checks).
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  // The first event `match` accepts, waiting for it up to the deadline.
  std::optional<ServerEvent> find(const std::function<bool(const ServerEvent&)>& match) {
    std::optional<ServerEvent> found;
    eventually(
        [&] {
          std::lock_guard lock(mu_);
          for (const auto& event : events_) {
            if (match(event)) found = event;
            if (found) return true;
          }
          return false;
        },
        kDeadline);
    return found;
  }
  std::optional<ServerEvent> find(const std::string& type, const std::string& text) {
    return find([&](const ServerEvent& event) {
      return event.type == type && event.data.find(text) != std::string::npos;
    });
  }

  std::vector<ServerEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::unique_ptr<client::HttpFleetApi> api_;
  std::mutex mu_;
  std::vector<ServerEvent> events_;  // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  bool ended_ = false;               // guarded by mu_
  std::string error_;                // guarded by mu_
  std::thread thread_;
};

class EventStreamTest : public testing::ApiServerTestBase {
 protected:
  void SetUp() override {
    ApiServerTestBase::SetUp();
    serve_events({});
  }

  void TearDown() override {
    ApiServerTestBase::TearDown();
    feed_.reset();
  }

  void serve_events(RegistryEventFeedOptions options) {
    attached_ = {};
    feed_ = std::make_unique<RegistryEventFeed>(*registry_, *backend_, options);
    attached_ = server_->attach(Router(*backend_, {.token_limit = 100, .events = feed_.get()}),
                                [this] { return backend_->ready(); });
  }

  // A stream, open once the feed counts it: changes from then on reach it.
  std::unique_ptr<Watching> watch(client::EventsRequest request = {}) {
    const size_t before = feed_->open_streams();
    auto watching = std::make_unique<Watching>(socket_path_, std::move(request));
    EXPECT_TRUE(eventually([&] { return feed_->open_streams() > before; }, kDeadline));
    return watching;
  }

  std::unique_ptr<RegistryEventFeed> feed_;
};

bool names(const ServerEvent& event, const std::string& name) {
  auto unit = schema::decode_unit(event.data);
  return event.type == "unit" && unit && unit->name == name;
}

TEST_F(EventStreamTest, ChangesArriveWithTheJsonTheirGetsAnswer) {
  auto watching = watch();
  ASSERT_EQ(put("hello.service", kUnitJson).status, 201);
  auto created = watching->find([](const ServerEvent& e) { return names(e, "hello.service"); });
  ASSERT_TRUE(created) << watching->error();
  EXPECT_EQ(schema::decode_unit(created->data).value(),
            schema::decode_unit(call("GET", "/fleet/v1/units/hello.service").body).value());
  EXPECT_FALSE(created->id.empty());

  register_machine("m1", {{"region", "eu"}});
  auto machine = watching->find("machine", "\"m1\"");
  ASSERT_TRUE(machine);
  // The GETs read caches of their own, which may still be a moment behind the stream.
  schema::MachinePage machines;
  ASSERT_TRUE(eventually(
      [&] {
        machines = schema::decode_machine_page(call("GET", "/fleet/v1/machines").body).value();
        return machines.machines.size() == 1;
      },
      kDeadline));
  EXPECT_EQ(schema::decode_machine(machine->data).value(), machines.machines.front());

  report("hello.service", "m1", true);
  auto state = watching->find("state", "hello.service");
  ASSERT_TRUE(state);
  schema::UnitStatePage states;
  ASSERT_TRUE(eventually(
      [&] {
        states = schema::decode_unit_state_page(call("GET", "/fleet/v1/state").body).value();
        return states.states.size() == 1;
      },
      kDeadline));
  EXPECT_EQ(schema::decode_unit_state(state->data).value(), states.states.front());

  ASSERT_EQ(call("DELETE", "/fleet/v1/units/hello.service").status, 204);
  auto destroyed = watching->find("unit", "\"deleted\":true");
  ASSERT_TRUE(destroyed);
  EXPECT_TRUE(names(*destroyed, "hello.service"));

  ASSERT_TRUE(client_->lease_revoke(lease_));
  auto gone = watching->find("machine", "\"deleted\":true");
  ASSERT_TRUE(gone);
  EXPECT_EQ(schema::decode_machine(gone->data)->primary_ip, "10.0.0.1")
      << "a removal shows what was removed";
}

TEST_F(EventStreamTest, TypesChooseWhatIsSent) {
  auto machines_only = watch({.types = "machine"});
  ASSERT_EQ(put("a.service", kUnitJson).status, 201);
  register_machine("m1");
  ASSERT_TRUE(machines_only->find("machine", "m1"));
  for (const auto& event : machines_only->events()) EXPECT_EQ(event.type, "machine");
}

TEST_F(EventStreamTest, AResumedStreamReplaysWhatItMissed) {
  auto first = watch();
  ASSERT_EQ(put("a.service", kUnitJson).status, 201);
  auto seen = first->find([](const ServerEvent& e) { return names(e, "a.service"); });
  ASSERT_TRUE(seen);
  first->stop();
  ASSERT_EQ(put("b.service", kUnitJson).status, 201);
  ASSERT_EQ(put("c.service", kUnitJson).status, 201);

  auto resumed = watch({.since = std::stoll(seen->id)});
  ASSERT_TRUE(resumed->find([](const ServerEvent& e) { return names(e, "c.service"); }));
  std::vector<std::string> units;
  for (const auto& event : resumed->events()) {
    if (event.type == "unit") units.push_back(schema::decode_unit(event.data)->name);
  }
  EXPECT_EQ(units, (std::vector<std::string>{"b.service", "c.service"}));
}

TEST_F(EventStreamTest, AResumeOlderThanTheWindowIsServedFromEtcdsHistory) {
  serve_events({.window = 2});
  auto first = watch();
  ASSERT_EQ(put("a.service", kUnitJson).status, 201);
  auto seen = first->find([](const ServerEvent& e) { return names(e, "a.service"); });
  ASSERT_TRUE(seen);
  const std::vector<std::string> later = {"b.service", "c.service", "d.service", "e.service"};
  for (const auto& name : later) ASSERT_EQ(put(name, kUnitJson).status, 201);
  ASSERT_TRUE(first->find([](const ServerEvent& e) { return names(e, "e.service"); }));

  auto resumed = watch({.since = std::stoll(seen->id)});
  ASSERT_TRUE(resumed->find([](const ServerEvent& e) { return names(e, "e.service"); }));
  std::vector<std::string> units;
  for (const auto& event : resumed->events()) {
    if (event.type == "unit") units.push_back(schema::decode_unit(event.data)->name);
  }
  EXPECT_EQ(units, later);
  // Caught up: later changes come from the shared watch.
  ASSERT_EQ(put("f.service", kUnitJson).status, 201);
  EXPECT_TRUE(resumed->find([](const ServerEvent& e) { return names(e, "f.service"); }));
}

TEST_F(EventStreamTest, AResumeFromACompactedRevisionIsAReset) {
  // Revision 2 and later stay for resuming after 1; compacting at 3 drops the change at 2.
  ASSERT_TRUE(client_->put(key("filler"), "x"));
  auto written = client_->put(key("filler"), "y");
  ASSERT_TRUE(written);
  ASSERT_TRUE(client_->compact(*written));
  auto resumed = watch({.since = 1});
  auto reset = resumed->find("reset", "revision");
  ASSERT_TRUE(reset) << resumed->error();
  EXPECT_FALSE(reset->id.empty());
  ASSERT_EQ(put("after.service", kUnitJson).status, 201);
  EXPECT_TRUE(resumed->find([](const ServerEvent& e) { return names(e, "after.service"); }))
      << "the stream carries on after a reset";
}

TEST_F(EventStreamTest, StreamsPastTheCapAre503AndAClosedStreamFreesItsSlot) {
  serve_events({.max_streams = 2});
  auto one = watch();
  auto two = watch();
  auto refused = call("GET", "/fleet/x1/events");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("Content-Type"), "application/json");
  EXPECT_EQ(refused.message(), "too many event streams open (2 at most); try again later");

  two->stop();
  ASSERT_TRUE(eventually([&] { return feed_->open_streams() == 1; }, kDeadline));
  auto three = watch();
  ASSERT_EQ(put("a.service", kUnitJson).status, 201);
  EXPECT_TRUE(three->find([](const ServerEvent& e) { return names(e, "a.service"); }));
}

TEST_F(EventStreamTest, BadQueriesAre400s) {
  auto response = call("GET", "/fleet/x1/events?types=jobs");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(
      response.message(),
      "types: unknown event type \"jobs\" (use unit, state and machine, separated by commas)");
  EXPECT_EQ(feed_->open_streams(), 0u);
}

// fleetctl watch as a user runs it: a process printing lines until Ctrl-C.
TEST_F(EventStreamTest, FleetctlWatchPrintsChangesLiveAndEndsOnInterrupt) {
  int output[2];
  ASSERT_EQ(pipe2(output, O_CLOEXEC), 0);
  auto fleetctl = fleet::testing::ChildProcess::spawn(
      {FLEETCTL_BINARY, "--endpoint=unix://" + socket_path_, "watch"}, output[1]);
  close(output[1]);
  ASSERT_TRUE(eventually([&] { return feed_->open_streams() == 1; }, kDeadline));
  ASSERT_EQ(put("hello.service", kUnitJson).status, 201);
  register_machine("m1");

  std::string printed;
  auto has = [&](const std::string& text) {
    pollfd readable{.fd = output[0], .events = POLLIN, .revents = 0};
    while (poll(&readable, 1, 0) > 0) {
      char buffer[4096];
      const ssize_t got = read(output[0], buffer, sizeof(buffer));
      if (got <= 0) break;
      printed.append(buffer, static_cast<size_t>(got));
    }
    return printed.find(text) != std::string::npos;
  };
  EXPECT_TRUE(eventually([&] { return has(" unit hello.service desired=inactive"); }, kDeadline))
      << printed;
  EXPECT_TRUE(eventually([&] { return has(" machine m1... 10.0.0.1 present\n"); }, kDeadline))
      << printed;
  EXPECT_TRUE(printed.starts_with("20")) << "each line starts with its UTC time: " << printed;

  fleetctl.send_signal(SIGINT);
  auto status = fleetctl.wait(kDeadline);
  close(output[0]);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << fleet::testing::describe_wait_status(*status);
}

}  // namespace
}  // namespace fleet::api
