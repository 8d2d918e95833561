// The x1 routes' commands on this machine: output and exit status as the client gets them, and a
// streamed command stopped once its client has gone.
#include "fleet/api/local_command.h"

#include <chrono>

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

namespace fleet::api {
namespace {

TEST(LocalCommandTest, RunToEndAnswersOutputAndExitStatus) {
  auto response = run_to_end({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "out\nerr\n");
  EXPECT_EQ(response.header("X-Fleet-Exit-Status"), "3");
  EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
}

TEST(LocalCommandTest, AMissingProgramIsAServerError) {
  EXPECT_EQ(run_to_end({"/nonexistent/fleet-test-program"}).status, 500);
}

TEST(LocalCommandTest, AStreamEndsWithItsCommand) {
  auto response = run_streamed({"sh", "-c", "echo one; echo two"});
  ASSERT_TRUE(response.stream);
  std::string body;
  response.stream([&](std::string_view piece) {
    body.append(piece);
    return true;
  });
  EXPECT_EQ(body, "one\ntwo\n");
}

TEST(LocalCommandTest, AStreamStopsWhenItsClientHasGoneEvenIfTheCommandIsSilent) {
  // As fleetd runs it: with the signals it sigwait()s for blocked.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  auto response = run_streamed({"sleep", "60"});
  ASSERT_TRUE(response.stream);
  int probes = 0;
  const auto started = std::chrono::steady_clock::now();
  response.stream([&](std::string_view piece) {
    EXPECT_TRUE(piece.empty());
    return ++probes < 2;
  });
  EXPECT_EQ(probes, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // Destroying the response kills and reaps `sleep` rather than waiting a minute for it.
  response = {};
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace
}  // namespace fleet::api
