// docs/man/fleet.conf.keys is the one list of fleet.conf's keys that people read: the packaged,
// commented /etc/fleet/fleet.conf and fleet.conf(5) are generated from it. These tests hold it,
// and the generated file, to the options table fleetd actually reads.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "fleet/config/config_file.h"
#include "fleet/config/internal/options.h"
#include "fleet/config/load_config.h"

namespace fleet::config {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// key -> default, from the lines that start with `key=`; the rest is prose and comments.
std::map<std::string, std::string> source_keys() {
  std::map<std::string, std::string> keys;
  std::istringstream lines(read(FLEET_CONF_KEYS));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ' ') continue;
    auto equals = line.find('=');
    EXPECT_NE(equals, std::string::npos) << "not key=default: " << line;
    if (equals == std::string::npos) continue;
    EXPECT_TRUE(keys.emplace(line.substr(0, equals), line.substr(equals + 1)).second)
        << "listed twice: " << line;
  }
  return keys;
}

TEST(FleetConfKeysTest, TheSourceListsEveryOptionWithTheDefaultFleetdRenders) {
  auto keys = source_keys();
  const Config defaults;
  std::set<std::string> options;
  for (const auto& option : internal::all_options()) {
    const std::string key(option.key);
    options.insert(key);
    auto listed = keys.find(key);
    if (listed == keys.end()) {
      ADD_FAILURE() << key << " is missing from " << FLEET_CONF_KEYS;
      continue;
    }
    EXPECT_EQ(listed->second, option.render(defaults)) << "default of " << key;
  }
  for (const auto& [key, _] : keys) {
    EXPECT_TRUE(options.contains(key))
        << FLEET_CONF_KEYS << " lists " << key << ", which fleetd does not know";
  }
}

TEST(FleetConfKeysTest, TheInstalledFileAsShippedLeavesEveryDefault) {
  auto file = parse_config_text(read(FLEET_CONF_GENERATED), "fleet.conf");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_TRUE(file->entries.empty());
}

// Removing every '#' in front of a key gives a file that sets each key once, to its default.
TEST(FleetConfKeysTest, TheInstalledFileUncommentedSetsEveryKeyToItsDefault) {
  std::istringstream lines(read(FLEET_CONF_GENERATED));
  std::string uncommented;
  for (std::string line; std::getline(lines, line);) {
    bool is_key = line.size() > 1 && line[0] == '#' && line[1] >= 'a' && line[1] <= 'z';
    uncommented += (is_key ? line.substr(1) : line) + "\n";
  }
  auto file = parse_config_text(uncommented, "fleet.conf");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_TRUE(file->warnings.empty()) << file->warnings.front();
  std::set<std::string> set;
  for (const auto& entry : file->entries) set.insert(entry.key);
  EXPECT_EQ(set.size(), internal::all_options().size());

  auto config = make_config(*file, {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  config->source_file.clear();
  EXPECT_EQ(*config, Config{});
}

}  // namespace
}  // namespace fleet::config
