// The web dashboard (decisions.md "Added") as a user sees it: Debian's headless Chromium opens
// machine 0's fleetd on its TCP listener, the way a browser on the network would, and the page
// must show the cluster, follow its changes without a reload, filter, and show a unit's journal
// relayed from the machine that runs it. Leaves a screenshot in <build>/test-artifacts/.
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"
#include "headless_chromium.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using unit::DesiredState;

// An agent_ttl and an engine pass of the harness's cluster, and the page's 2 s poll, with room.
constexpr auto kSeen = 30s;

// What the page shows: the visible rows of each table as their cells' text, by first cell for
// units; the error banner's text ("" when hidden); the live status line.
constexpr const char* kReadPage = R"(({
  machines: [...document.querySelectorAll('#machines tbody tr')].filter((r) => !r.hidden)
      .map((r) => [...r.cells].map((c) => c.innerText.trim())),
  units: Object.fromEntries([...document.querySelectorAll('#units tbody tr')]
      .filter((r) => !r.hidden).map((r) => [r.cells[0].innerText.trim(),
                                            [...r.cells].map((c) => c.innerText.trim())])),
  error: document.getElementById('error').hidden ? '' : document.getElementById('error').innerText,
  live: document.getElementById('live').innerText,
  journal: document.getElementById('journal').hidden
      ? null : document.getElementById('journal-text').innerText,
}))";

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new ClusterHarness(fleetd_machines(2, {{0, {{"metadata", "role=web,disk=ssd"}}}}));
    // Pinned to machine 1, so its journal travels through machine 0's relay.
    harness_->submit("hello.service",
                     "[Service]\nExecStart=/bin/sh -c 'echo dashboard-hello; exec sleep infinity'"
                     "\n\n[X-Fleet]\nMachineID=" +
                         harness_->cluster().machines()[1].machine_id + "\n",
                     DesiredState::kLaunched);
    harness_->submit("standby.service", "[Service]\nExecStart=/bin/sleep infinity\n",
                     DesiredState::kLoaded);
    browser_ = new HeadlessChromium();
  }
  static void TearDownTestSuite() {
    delete browser_;
    browser_ = nullptr;
    delete harness_;
    harness_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(harness_ != nullptr && browser_ != nullptr) << "the suite's set-up failed";
    ASSERT_EQ(h().wait_running("hello.service", 60s), std::optional<size_t>(1))
        << h().fleetd_log(1);
    browser().navigate(dashboard_url());
  }

  ClusterHarness& h() { return *harness_; }
  HeadlessChromium& browser() { return *browser_; }

  json page() { return browser().evaluate(kReadPage); }

  // Polls the page until `holds` does, within kSeen; the last reading is returned either way
  // (with `held` telling which), so a failure shows what the page had.
  json wait_for(const std::function<bool(const json&)>& holds, bool& held) {
    return wait_for(browser(), holds, held);
  }
  static json wait_for(HeadlessChromium& in, const std::function<bool(const json&)>& holds,
                       bool& held) {
    json last;
    held = eventually(
        [&] {
          last = in.evaluate(kReadPage);
          return holds(last);
        },
        kSeen, 200ms);
    return last;
  }

  std::string dashboard_url() {
    return "http://" + h().cluster().machines()[0].address + ":49153/";
  }

  static std::string short_id(size_t m) {
    return harness_->cluster().machines()[m].machine_id.substr(0, 8);
  }

  static ClusterHarness* harness_;
  static HeadlessChromium* browser_;
};

ClusterHarness* DashboardTest::harness_ = nullptr;
HeadlessChromium* DashboardTest::browser_ = nullptr;

// The units row: name, desired, current, active (sub), machine.
std::vector<std::string> row(const json& shown, const std::string& unit) {
  return shown["units"].value(unit, std::vector<std::string>{});
}

TEST_F(DashboardTest, ShowsEveryMachineAndUnitWithItsState) {
  const std::string machine1 = short_id(1) + "/" + h().cluster().machines()[1].address;
  bool held = false;
  json shown = wait_for(
      [&](const json& p) {
        return row(p, "hello.service") == std::vector<std::string>{"hello.service", "launched",
                                                                   "launched", "active (running)",
                                                                   machine1} &&
               row(p, "standby.service").size() == 5 && row(p, "standby.service")[2] == "loaded" &&
               p["machines"].size() == 2;
      },
      held);
  EXPECT_TRUE(held) << shown.dump(2);
  EXPECT_EQ(row(shown, "standby.service")[1], "loaded");
  EXPECT_EQ(row(shown, "standby.service")[3], "inactive (dead)");
  EXPECT_EQ(shown["error"], "") << "no error banner";
  std::map<std::string, std::vector<std::string>> machines;  // short ID -> row
  for (const auto& cells : shown["machines"]) machines[cells[0]] = cells;
  for (size_t m = 0; m < 2; ++m) {
    ASSERT_TRUE(machines.contains(short_id(m))) << shown.dump(2);
    EXPECT_EQ(machines[short_id(m)][1], h().cluster().machines()[m].address);
  }
  const std::string metadata = machines[short_id(0)][2];
  EXPECT_NE(metadata.find("role=web"), std::string::npos) << shown.dump(2);
  EXPECT_NE(metadata.find("disk=ssd"), std::string::npos) << shown.dump(2);
  EXPECT_EQ(machines[short_id(1)][2], "-");
  std::cout << "dashboard updates by: " << shown["live"].get<std::string>() << "\n";
}

TEST_F(DashboardTest, FollowsTheClusterWithoutReloading) {
  bool held = false;
  wait_for([](const json& p) { return !row(p, "hello.service").empty(); }, held);
  ASSERT_TRUE(held);
  browser().evaluate("window.notReloaded = true");

  h().submit("late.service", "[Service]\nExecStart=/bin/sleep infinity\n", DesiredState::kLaunched);
  json shown = wait_for(
      [](const json& p) {
        return row(p, "late.service").size() == 5 &&
               row(p, "late.service")[3] == "active (running)";
      },
      held);
  EXPECT_TRUE(held) << "a new unit shows up running\n" << shown.dump(2);

  h().destroy("late.service");
  shown = wait_for([](const json& p) { return !p["units"].contains("late.service"); }, held);
  EXPECT_TRUE(held) << "a destroyed unit goes away\n" << shown.dump(2);
  EXPECT_EQ(browser().evaluate("window.notReloaded"), true) << "the page itself changed";
}

// A fleetd from before the event stream answers it 404, which an EventSource reports as an error
// with the stream closed; this one does so whatever the server says.
constexpr const char* kNoEventStream = R"(window.EventSource = class extends EventTarget {
  static CLOSED = 2;
  constructor() {
    super();
    this.readyState = 2;
    setTimeout(() => this.dispatchEvent(new Event('error')));
  }
  close() {}
};)";

TEST_F(DashboardTest, FallsBackToPollingWithoutTheEventStream) {
  HeadlessChromium old_browser;
  old_browser.before_each_load(kNoEventStream);
  old_browser.navigate(dashboard_url());
  bool held = false;
  json shown = wait_for(
      old_browser,
      [](const json& p) {
        return !row(p, "hello.service").empty() &&
               p["live"].get<std::string>().starts_with("Refreshing every 2 s");
      },
      held);
  ASSERT_TRUE(held) << shown.dump(2);

  h().submit("polled.service", "[Service]\nExecStart=/bin/sleep infinity\n",
             DesiredState::kLaunched);
  shown = wait_for(
      old_browser,
      [](const json& p) {
        return row(p, "polled.service").size() == 5 &&
               row(p, "polled.service")[3] == "active (running)";
      },
      held);
  EXPECT_TRUE(held) << shown.dump(2);
  h().destroy("polled.service");
  shown = wait_for(
      old_browser, [](const json& p) { return !p["units"].contains("polled.service"); }, held);
  EXPECT_TRUE(held) << shown.dump(2);
  EXPECT_EQ(shown["error"], "");
}

TEST_F(DashboardTest, FilterNarrowsBothTables) {
  bool held = false;
  wait_for([](const json& p) { return p["units"].size() == 2 && p["machines"].size() == 2; }, held);
  ASSERT_TRUE(held);
  auto filter = [&](const std::string& text) {
    browser().evaluate("{ const box = document.getElementById('filter'); box.value = " +
                       json(text).dump() + "; box.dispatchEvent(new Event('input')); }");
    return page();
  };

  json shown = filter("STANDBY");
  EXPECT_EQ(shown["units"].size(), 1u) << shown.dump(2);
  EXPECT_TRUE(shown["units"].contains("standby.service")) << "case-insensitive";
  EXPECT_EQ(shown["machines"].size(), 0u) << shown.dump(2);
  EXPECT_EQ(browser().evaluate("document.getElementById('machines-count').innerText"),
            "(0 of 2 machines)");

  shown = filter("role=web");
  ASSERT_EQ(shown["machines"].size(), 1u) << "metadata is searched\n" << shown.dump(2);
  EXPECT_EQ(shown["machines"][0][0], short_id(0));

  shown = filter(short_id(1));
  EXPECT_EQ(shown["machines"].size(), 1u) << shown.dump(2);
  EXPECT_TRUE(shown["units"].contains("hello.service")) << "its placement matches\n"
                                                        << shown.dump(2);
  shown = filter("");
  EXPECT_EQ(shown["units"].size(), 2u);
  EXPECT_EQ(shown["machines"].size(), 2u);
}

TEST_F(DashboardTest, ShowsAUnitsJournalRelayedFromItsMachine) {
  bool held = false;
  wait_for([](const json& p) { return !row(p, "hello.service").empty(); }, held);
  ASSERT_TRUE(held);
  browser().evaluate(R"(document.querySelector('#units tr[data-unit="hello.service"] button')
                          .click())");
  json shown = wait_for(
      [](const json& p) {
        return p["journal"].is_string() &&
               p["journal"].get<std::string>().find("dashboard-hello") != std::string::npos;
      },
      held);
  EXPECT_TRUE(held) << shown.dump(2) << "\n" << h().fleetd_log(0);
  EXPECT_EQ(browser().evaluate("document.getElementById('journal-title').innerText"),
            "Journal of hello.service (last 50 lines)");

  // The page in full, journal open, for a person to look at.
  const auto artifact = std::filesystem::path(FLEET_BINARY_DIR) / "test-artifacts/dashboard.png";
  browser().screenshot(artifact);
  EXPECT_GT(std::filesystem::file_size(artifact), 10000u);
  std::cout << "screenshot: " << artifact.string() << "\n";
}

}  // namespace
}  // namespace fleet::testing
