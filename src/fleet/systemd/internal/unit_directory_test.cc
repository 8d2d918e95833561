#include "fleet/systemd/internal/unit_directory.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fleet/unit/unit_file.h"

#include "fixtures/temp_dir.h"

namespace fleet::systemd::internal {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class UnitDirectoryTest : public ::testing::Test {
 protected:
  fleet::testing::TempDir root_{"unit-directory-test"};
  // As a test on the host sees a machine: systemd's /run/fleet/units is root_/run/fleet/units.
  UnitDirectory directory_{"/run/fleet/units/", root_.path()};
  fs::path local_ = root_.path() / "run/fleet/units";
};

TEST_F(UnitDirectoryTest, PathsAreAsSystemdSeesThemAndFilesGoUnderTheRoot) {
  EXPECT_EQ(directory_.directory(), "/run/fleet/units");
  EXPECT_EQ(directory_.local_directory(), local_);
  EXPECT_EQ(directory_.path_for("web.service").value(), "/run/fleet/units/web.service");
  EXPECT_EQ(UnitDirectory("/run/fleet/units", "").local_directory(), "/run/fleet/units");
}

TEST_F(UnitDirectoryTest, CreatesTheDirectoryReadableByAll) {
  ASSERT_TRUE(directory_.create());
  EXPECT_EQ(mode_of(local_), 0755u);
  EXPECT_TRUE(directory_.create());  // already there
}

TEST_F(UnitDirectoryTest, RefusesNamesThatAreNoUnitOrLeaveTheDirectory) {
  for (const char* name : {"../x.service", "a/b.service", "/etc/x.service", "x", "x.bogus", ""}) {
    auto path = directory_.path_for(name);
    ASSERT_FALSE(path.has_value()) << name;
    EXPECT_EQ(path.error().code, ErrorCode::kInvalidArgument) << name;
    EXPECT_FALSE(directory_.write(name, "[Unit]\n").has_value()) << name;
  }
  EXPECT_FALSE(fs::exists(root_.path() / "run/fleet/x.service"));
  EXPECT_FALSE(fs::exists(root_.path() / "etc"));
}

TEST_F(UnitDirectoryTest, WritesWholeFilesWithMode0644AndNothingElse) {
  ASSERT_TRUE(directory_.write("web.service", "[Service]\nExecStart=/bin/true\n"));
  ASSERT_TRUE(directory_.write("web.service", "[Service]\nExecStart=/bin/false\n"));
  EXPECT_EQ(read(local_ / "web.service"), "[Service]\nExecStart=/bin/false\n");
  EXPECT_EQ(mode_of(local_ / "web.service"), 0644u);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(local_)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left behind
}

TEST_F(UnitDirectoryTest, ListsUnitFilesOfEveryTypeWithTheirHashes) {
  auto service = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep infinity\n").value();
  auto timer = unit::UnitFile::parse("[Timer]\nOnActiveSec=1h\n").value();
  ASSERT_TRUE(directory_.write("a.service", service.serialize()));
  ASSERT_TRUE(directory_.write("b.timer", timer.serialize()));
  ASSERT_TRUE(directory_.write("c.target", "[Unit]\nDescription=c\n"));
  std::ofstream(local_ / "notes.txt") << "not a unit";
  std::ofstream(local_ / ".d.service.tmp") << "half written";
  fs::create_symlink("/etc/hostname", local_ / "e.service");
  // A line longer than systemd allows cannot be parsed.
  std::ofstream(local_ / "broken.service") << "[Unit]\nDescription=" << std::string(3000, 'x');

  auto files = directory_.list();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_EQ(files->size(), 4u);
  EXPECT_EQ(files->at("a.service"), service.hash());
  EXPECT_EQ(files->at("b.timer"), timer.hash());
  EXPECT_FALSE(files->at("c.target").empty());
  EXPECT_TRUE(files->at("broken.service").empty());
}

TEST_F(UnitDirectoryTest, MissingDirectoryListsNothingAndRemovingAMissingFileIsFine) {
  auto files = directory_.list();
  ASSERT_TRUE(files.has_value());
  EXPECT_TRUE(files->empty());
  EXPECT_TRUE(directory_.remove("gone.service"));
  ASSERT_TRUE(directory_.write("here.service", "[Unit]\n"));
  EXPECT_TRUE(directory_.remove("here.service"));
  EXPECT_FALSE(fs::exists(local_ / "here.service"));
}

}  // namespace
}  // namespace fleet::systemd::internal
