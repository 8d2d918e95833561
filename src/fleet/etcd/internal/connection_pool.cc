#include "fleet/etcd/internal/connection_pool.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "fleet/etcd/internal/grpc_error.h"

namespace fleet::etcd::internal {
namespace {

Result<std::string> read_pem(const std::string& path, std::string_view what) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in || content.str().empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "cannot read etcd TLS " + std::string(what) + " \"" + path + "\"");
  }
  return content.str();
}

grpc::ChannelArguments channel_arguments() {
  grpc::ChannelArguments args;
  // Reconnect quickly after an etcd restart instead of gRPC's default backoff of up to 2 minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Notice a silently dead peer (a partition) on long-lived watch and keep-alive streams. etcd
  // refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // Listing 100,000 units in one revision can exceed gRPC's 4 MiB default.
  args.SetMaxReceiveMessageSize(512 * 1024 * 1024);
  return args;
}

}  // namespace

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::create(const ClientOptions& options) {
  std::string list;
  for (const auto& url : options.endpoints) list += url + ",";
  auto endpoints = parse_endpoints(list);
  if (!endpoints) return fail(endpoints.error());

  grpc::SslCredentialsOptions ssl;
  auto ca = read_pem(options.tls.ca_file, "CA file");
  auto cert = read_pem(options.tls.cert_file, "certificate file");
  auto key = read_pem(options.tls.key_file, "key file");
  for (const auto* pem : {&ca, &cert, &key}) {
    if (!*pem) return fail(pem->error());
  }
  if (cert->empty() != key->empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "etcd TLS needs both a certificate file and a key file, or neither");
  }
  ssl.pem_root_certs = *ca;
  ssl.pem_cert_chain = *cert;
  ssl.pem_private_key = *key;

  std::unique_ptr<ConnectionPool> pool(new ConnectionPool());
  pool->username_ = options.username;
  pool->password_ = options.password;
  pool->request_timeout_ = options.request_timeout;
  pool->metrics_ = options.metrics;
  for (auto& endpoint : *endpoints) {
    auto credentials =
        endpoint.tls ? grpc::SslCredentials(ssl) : grpc::InsecureChannelCredentials();
    auto connection = std::make_unique<Connection>();
    connection->channel =
        grpc::CreateCustomChannel(endpoint.authority, credentials, channel_arguments());
    connection->kv = etcdserverpb::KV::NewStub(connection->channel);
    connection->watch = etcdserverpb::Watch::NewStub(connection->channel);
    connection->lease = etcdserverpb::Lease::NewStub(connection->channel);
    connection->cluster = etcdserverpb::Cluster::NewStub(connection->channel);
    connection->maintenance = etcdserverpb::Maintenance::NewStub(connection->channel);
    connection->auth = etcdserverpb::Auth::NewStub(connection->channel);
    connection->endpoint = std::move(endpoint);
    pool->connections_.push_back(std::move(connection));
  }
  return pool;
}

size_t ConnectionPool::preferred() const {
  std::lock_guard lock(mu_);
  return preferred_;
}

void ConnectionPool::skip(size_t failed) {
  std::lock_guard lock(mu_);
  if (preferred_ == failed) preferred_ = (failed + 1) % connections_.size();
}

Status ConnectionPool::authorize(grpc::ClientContext& context, size_t index, Deadline deadline) {
  if (!has_credentials()) return {};
  std::string token;
  {
    std::lock_guard lock(mu_);
    token = token_;
  }
  if (token.empty()) {
    grpc::ClientContext auth_context;
    auth_context.set_deadline(deadline);
    etcdserverpb::AuthenticateRequest request;
    request.set_name(username_);
    request.set_password(password_);
    etcdserverpb::AuthenticateResponse response;
    auto status = at(index).auth->Authenticate(&auth_context, request, &response);
    if (!status.ok()) {
      return fail(from_grpc(status, endpoint(index).url, "authenticate as \"" + username_ + "\""));
    }
    token = response.token();
    std::lock_guard lock(mu_);
    token_ = token;
  }
  context.AddMetadata("token", token);
  return {};
}

void ConnectionPool::forget_token() {
  std::lock_guard lock(mu_);
  token_.clear();
}

bool ConnectionPool::pause(size_t index, std::chrono::milliseconds pause,
                           const std::function<bool()>& stopped) {
  constexpr std::chrono::milliseconds kSlice{50};
  auto& channel = *connections_[index]->channel;
  const auto until = std::chrono::system_clock::now() + pause;
  while (!stopped()) {
    auto now = std::chrono::system_clock::now();
    if (now >= until) return true;
    channel.WaitForStateChange(channel.GetState(/*try_to_connect=*/true),
                               std::min(until, now + kSlice));
  }
  return false;
}

std::string ConnectionPool::all_urls() const {
  std::string urls;
  for (const auto& connection : connections_) {
    if (!urls.empty()) urls += ", ";
    urls += connection->endpoint.url;
  }
  return urls;
}

}  // namespace fleet::etcd::internal
