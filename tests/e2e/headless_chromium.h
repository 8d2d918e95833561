// Debian's Chromium without a display, driven over the DevTools protocol, for tests of the web
// dashboard as a browser runs it: its script, its event stream, its clicks.
//
// Why DevTools and not `chromium --dump-dom`: a dump is one page load, so it cannot see a page
// change after it loaded (live updates) or click. Why DevTools over its WebSocket and not
// chromedriver: Chromium alone speaks it, so the tests need no second package, and Beast (already
// fleet's HTTP library) has the WebSocket client.
//
// Example:
//   HeadlessChromium browser;                        // starts chromium, opens an empty page
//   browser.navigate("http://10.213.55.2:49153/");
//   auto title = browser.evaluate("document.title"); // a JSON value
//   browser.screenshot("build/test-artifacts/dashboard.png");
//
// Not thread-safe. Throws std::runtime_error when Chromium cannot be started or stops answering.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace fleet::testing {

class HeadlessChromium {
 public:
  // Starts Debian's /usr/bin/chromium (or $CHROMIUM) with a fresh profile and a viewport of
  // `width` x `height` CSS pixels.
  explicit HeadlessChromium(int width = 1280, int height = 1000);
  ~HeadlessChromium();
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // Loads `url` in the page and returns once its load event has fired.
  void navigate(const std::string& url);
  // Runs `script` in every page loaded from now on, before the page's own scripts: to stand in
  // for a browser feature or a server's answer the test wants to vary.
  void before_each_load(const std::string& script);
  // The value of a JavaScript expression in the page (awaited when it is a promise); throws
  // std::runtime_error with the page's message when it throws.
  nlohmann::json evaluate(const std::string& expression);
  // Writes the page's viewport as a PNG file, creating its directory.
  void screenshot(const std::filesystem::path& file);
  // What Chromium printed (its own log), for failure messages.
  std::string log() const;

 private:
  struct State;
  // Sends one DevTools command to the page (or, with to_page false, to the browser) and returns
  // its result, skipping the events that arrive meanwhile.
  nlohmann::json call(const std::string& method, const nlohmann::json& params, bool to_page = true);

  std::unique_ptr<State> state_;
};

}  // namespace fleet::testing
