#include "headless_chromium.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>  // before Asio (see src/fleet/api/http_server.cc)
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixtures/child_process.h"
#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;
using nlohmann::json;

// How long one DevTools command may take: a page load or a screenshot on a loaded CI machine.
constexpr auto kCommandTimeout = 30s;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string base64_decode(std::string_view text) {
  std::array<int, 256> value;
  value.fill(-1);
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = i;
  std::string bytes;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) continue;  // padding
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return bytes;
}

// The processes with `path` in an argument: Chromium's helpers (renderers, the network service,
// the crash handler) name the profile, and may still write there after the browser has exited.
std::vector<pid_t> processes_mentioning(const std::string& path) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_file(entry.path() / "cmdline").find(path) != std::string::npos) {
      found.push_back(std::stoi(name));
    }
  }
  return found;
}

}  // namespace

struct HeadlessChromium::State {
  TempDir profile{"chromium"};
  ChildProcess process;
  asio::io_context io;
  beast::websocket::stream<asio::ip::tcp::socket> devtools{io};
  int last_id = 0;
  std::string session;  // the page's, from Target.attachToTarget

  std::filesystem::path log_file() const { return profile.path() / "chromium.log"; }
};

HeadlessChromium::HeadlessChromium(int width, int height) : state_(std::make_unique<State>()) {
  const char* program = std::getenv("CHROMIUM");
  const int log =
      ::open(state_->log_file().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) throw std::runtime_error("cannot create " + state_->log_file().string());
  try {
    state_->process = ChildProcess::spawn(
        // A home of its own: Chromium keeps its crash reports and certificate store under $HOME
        // whatever the profile, and the host's home is not the test's to fill.
        {"env", "HOME=" + (state_->profile.path() / "home").string(),
         program != nullptr ? program : "/usr/bin/chromium", "--headless",
         // Chromium refuses to run as root with its sandbox; the tests run as root.
         "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--disable-background-networking", "--no-proxy-server",
         "--user-data-dir=" + state_->profile.path().string(), "--remote-debugging-port=0",
         "--window-size=" + std::to_string(width) + "," + std::to_string(height), "about:blank"},
        log);
  } catch (...) {
    ::close(log);
    throw;
  }
  ::close(log);

  // With port 0 Chromium picks a free port and writes it, and the browser's WebSocket path, here.
  const auto active_port = state_->profile.path() / "DevToolsActivePort";
  std::string port;
  std::string path;
  const bool listening = eventually(
      [&] {
        std::istringstream lines(read_file(active_port));
        return std::getline(lines, port) && std::getline(lines, path) && !path.empty();
      },
      30s, 50ms);
  if (!listening) throw std::runtime_error("chromium did not start DevTools:\n" + this->log());

  auto& socket = state_->devtools.next_layer();
  socket.connect(
      {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))});
  // Beast's synchronous reads have no deadline of their own: a browser that hangs must fail the
  // test, not stall it until ctest's timeout.
  const timeval timeout{std::chrono::seconds(kCommandTimeout).count(), 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  state_->devtools.handshake("127.0.0.1:" + port, path);
  state_->devtools.text(true);

  const json target = call("Target.createTarget", {{"url", "about:blank"}}, false);
  state_->session =
      call("Target.attachToTarget", {{"targetId", target.at("targetId")}, {"flatten", true}}, false)
          .at("sessionId");
  call("Emulation.setDeviceMetricsOverride",
       {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}});
}

HeadlessChromium::~HeadlessChromium() {
  try {
    call("Browser.close", json::object(), false);
    state_->process.wait(10s);
  } catch (const std::exception&) {
    // Not answering: terminate() below ends it.
  }
  state_->process.terminate(ChildProcess::kDefaultGrace);
  // Its helpers go on their own shortly after; the profile can go once they have.
  const std::string profile = state_->profile.path().string();
  if (!eventually([&] { return processes_mentioning(profile).empty(); }, 10s, 50ms)) {
    for (pid_t helper : processes_mentioning(profile)) ::kill(helper, SIGKILL);
  }
}

json HeadlessChromium::call(const std::string& method, const json& params, bool to_page) {
  const int id = ++state_->last_id;
  json message = {{"id", id}, {"method", method}, {"params", params}};
  if (to_page) message["sessionId"] = state_->session;
  try {
    state_->devtools.write(asio::buffer(message.dump()));
    while (true) {
      beast::flat_buffer buffer;
      state_->devtools.read(buffer);
      json reply = json::parse(beast::buffers_to_string(buffer.data()));
      if (!reply.contains("id") || reply["id"] != id) continue;  // an event, or another reply
      if (reply.contains("error")) {
        throw std::runtime_error("DevTools " + method + ": " + reply["error"].dump());
      }
      return reply["result"];
    }
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("DevTools " + method + ": " + e.code().message() + "\n" + log());
  }
}

void HeadlessChromium::navigate(const std::string& url) {
  const json result = call("Page.navigate", {{"url", url}});
  if (result.contains("errorText")) {
    throw std::runtime_error("cannot load " + url + ": " + result["errorText"].get<std::string>());
  }
  const bool loaded = eventually([&] { return evaluate("document.readyState") == "complete"; },
                                 kCommandTimeout, 50ms);
  if (!loaded) throw std::runtime_error(url + " did not finish loading");
}

void HeadlessChromium::before_each_load(const std::string& script) {
  call("Page.enable", json::object());  // without it Chromium keeps the script but never runs it
  call("Page.addScriptToEvaluateOnNewDocument", {{"source", script}});
}

json HeadlessChromium::evaluate(const std::string& expression) {
  const json result =
      call("Runtime.evaluate",
           {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (result.contains("exceptionDetails")) {
    const json& details = result["exceptionDetails"];
    const json description =
        details.contains("exception") ? details["exception"].value("description", json()) : json();
    throw std::runtime_error(
        "the page threw on `" + expression + "`: " +
        (description.is_string() ? description.get<std::string>() : details.value("text", "")));
  }
  return result.at("result").value("value", json());
}

void HeadlessChromium::screenshot(const std::filesystem::path& file) {
  const json result = call("Page.captureScreenshot", {{"format", "png"}});
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << base64_decode(result.at("data").get<std::string>());
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

std::string HeadlessChromium::log() const {
  std::string text = read_file(state_->log_file());
  constexpr size_t kTail = 4000;
  return text.size() > kTail ? "..." + text.substr(text.size() - kTail) : text;
}

}  // namespace fleet::testing
