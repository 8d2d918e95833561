#include "fleet/config/machine_identity.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "fixtures/temp_dir.h"

namespace fleet::config {
namespace {

constexpr std::string_view kHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
    "                                                       \n";

std::uint32_t ipv4(const char* dotted) {
  in_addr address{};
  EXPECT_EQ(::inet_pton(AF_INET, dotted, &address), 1) << dotted;
  return ntohl(address.s_addr);
}

class MachineIdentityTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  fleet::testing::TempDir dir_{"config-test"};
};

TEST_F(MachineIdentityTest, MachineIdIsTrimmed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3d1219c7c4c5404aaa1f6d2a48adfda4\n", "3d1219c7c4c5404aaa1f6d2a48adfda4"},
      {"  3d1219c7c4c5404aaa1f6d2a48adfda4 \r\n\n", "3d1219c7c4c5404aaa1f6d2a48adfda4"},
      {"\tabc", "abc"},
  };
  for (const auto& [content, expected] : cases) {
    auto id = read_machine_id(write("machine-id", content));
    ASSERT_TRUE(id.has_value()) << id.error().message;
    EXPECT_EQ(*id, expected);
  }
}

TEST_F(MachineIdentityTest, EmptyMachineIdIsAnError) {
  for (std::string content : {"", "\n", " \t\n"}) {
    auto path = write("machine-id", content);
    auto id = read_machine_id(path);
    ASSERT_FALSE(id.has_value());
    EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(id.error().message, "unable to determine local machine ID: " + path + " is empty");
  }
}

TEST_F(MachineIdentityTest, UninitializedMachineIdIsAnError) {
  auto path = write("machine-id", "uninitialized\n");
  auto id = read_machine_id(path);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(id.error().message,
            "unable to determine local machine ID: " + path + " is not initialized yet");
}

TEST_F(MachineIdentityTest, MissingMachineIdIsAnError) {
  auto path = (dir_.path() / "machine-id").string();
  auto id = read_machine_id(path);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(id.error().message, "unable to determine local machine ID: cannot read " + path +
                                    ": No such file or directory");
}

TEST(ParseDefaultRouteInterfaceTest, FindsTheDefaultRoute) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // As this build machine has it: default via eth0 plus its subnet.
      {std::string(kHeader) +
           "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0          \n"
           "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0          \n",
       "eth0"},
      // The subnet route first, then the default.
      {std::string(kHeader) + "ens3\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
                              "ens3\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
       "ens3"},
      // Two defaults: the lower metric carries the traffic.
      {std::string(kHeader) + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                              "eth1\t00000000\t01010A0A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
       "eth1"},
      // Equal metrics: the first listed.
      {std::string(kHeader) + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                              "eth1\t00000000\t01010A0A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
       "eth0"},
      // A default route that is down does not count.
      {std::string(kHeader) + "eth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
                              "eth1\t00000000\t01010A0A\t0003\t0\t0\t500\t00000000\t0\t0\t0\n",
       "eth1"},
      // Point-to-point default without a gateway (a VPN device).
      {std::string(kHeader) + "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n",
       "tun0"},
      // Lines that do not parse are skipped.
      {std::string(kHeader) + "garbage\n\neth9\tzz\t0\t1\t0\t0\t0\t0\n"
                              "eth2\t00000000\t01010A0A\t0003\t0\t0\t0\t00000000\t0\t0\t0",
       "eth2"},
  };
  for (const auto& [text, expected] : cases) {
    auto interface = parse_default_route_interface(text);
    ASSERT_TRUE(interface.has_value()) << text << ": " << interface.error().message;
    EXPECT_EQ(*interface, expected) << text;
  }
}

TEST(ParseDefaultRouteInterfaceTest, NoDefaultRoute) {
  const std::vector<std::string> cases = {
      "",
      std::string(kHeader),
      std::string(kHeader) + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
      // Destination 0 with a mask is 0.0.0.0/8, not the default.
      std::string(kHeader) + "eth0\t00000000\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n",
      // The header itself is never a route, even one that would parse.
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
  };
  for (const auto& text : cases) {
    auto interface = parse_default_route_interface(text, "/proc/net/route");
    ASSERT_FALSE(interface.has_value()) << text;
    EXPECT_EQ(interface.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(interface.error().message, "no default route in /proc/net/route");
  }
}

TEST(IsGlobalUnicastIpv4Test, AsGoDecides) {
  const std::vector<std::pair<const char*, bool>> cases = {
      {"10.0.0.5", true},         {"172.18.1.1", true}, {"192.168.1.10", true},
      {"192.0.2.2", true},        {"8.8.8.8", true},    {"100.64.0.1", true},
      {"0.0.0.0", false},         {"127.0.0.1", false}, {"127.255.255.254", false},
      {"169.254.1.1", false},     {"224.0.0.1", false}, {"239.255.255.250", false},
      {"255.255.255.255", false}, {"240.0.0.1", true},  // reserved, yet unicast to Go
  };
  for (const auto& [dotted, expected] : cases) {
    EXPECT_EQ(is_global_unicast_ipv4(ipv4(dotted)), expected) << dotted;
  }
}

TEST_F(MachineIdentityTest, DetectPublicIpNeedsADefaultRoute) {
  auto path = write("route", std::string(kHeader));
  auto ip = detect_public_ip(path);
  ASSERT_FALSE(ip.has_value());
  EXPECT_EQ(ip.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ip.error().message, "no default route in " + path + "; set public_ip in fleet.conf");
}

TEST_F(MachineIdentityTest, DetectPublicIpSkipsLoopbackAddresses) {
  // lo exists everywhere and holds only 127.0.0.1.
  auto path = write(
      "route", std::string(kHeader) + "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n");
  auto ip = detect_public_ip(path);
  ASSERT_FALSE(ip.has_value());
  EXPECT_EQ(ip.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ip.error().message,
            "interface lo (default route) has no global IPv4 address; set public_ip in "
            "fleet.conf");
}

TEST_F(MachineIdentityTest, DetectPublicIpOfAMissingInterface) {
  auto path = write("route", std::string(kHeader) +
                                 "nosuch0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
  auto ip = detect_public_ip(path);
  ASSERT_FALSE(ip.has_value());
  EXPECT_EQ(ip.error().message,
            "interface nosuch0 (default route) has no global IPv4 address; set public_ip in "
            "fleet.conf");
}

TEST_F(MachineIdentityTest, DetectPublicIpWithoutARouteTable) {
  auto path = (dir_.path() / "route").string();
  auto ip = detect_public_ip(path);
  ASSERT_FALSE(ip.has_value());
  EXPECT_EQ(ip.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ip.error().message, "cannot read " + path + ": No such file or directory");
}

// On this host: whatever the kernel routes by default, the answer is one of that interface's
// global IPv4 addresses, or a clear kNotFound when the host has no default route.
TEST(DetectPublicIpTest, OnThisHost) {
  auto ip = detect_public_ip();
  if (!ip) {
    EXPECT_EQ(ip.error().code, ErrorCode::kNotFound) << ip.error().message;
    EXPECT_TRUE(ip.error().message.ends_with("; set public_ip in fleet.conf"));
    return;
  }
  in_addr address{};
  ASSERT_EQ(::inet_pton(AF_INET, ip->c_str(), &address), 1) << *ip;
  EXPECT_TRUE(is_global_unicast_ipv4(ntohl(address.s_addr))) << *ip;
}

}  // namespace
}  // namespace fleet::config
