// faultline report reading a log directory: file order, malformed lines named once with
// file:line and skipped, a flood of garbage cut short.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tools/report/log_reader.h"

using namespace tools::report;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/faultline-report-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
    }
    fs::path path;
};

std::string line(int seq, int pid) {
    return R"({"seq":)" + std::to_string(seq) + R"(,"time_ns":0,"pid":)" + std::to_string(pid) +
           R"(,"comm":"p","page":4096,"kind":"demand-zero","major":false,"vma":null})" + "\n";
}

struct Collected {
    std::vector<int> pids;
    std::vector<std::string> problems;
    ReadSummary summary;
};

Collected read_dir(const fs::path& dir) {
    Collected c;
    c.summary = read_fault_logs(fault_log_files(dir), LogReaderSinks{
                                                          .record = [&](const FaultRecord& r) { c.pids.push_back(r.pid); },
                                                          .problem = [&](const std::string& p) { c.problems.push_back(p); },
                                                      });
    return c;
}

}  // namespace

TEST_CASE("report reader: only *.faults.jsonl, in pid order") {
    TempDir dir;
    dir.write("10.faults.jsonl", line(3, 10));
    dir.write("2.faults.jsonl", line(1, 2) + line(2, 2));
    dir.write("report.html", "<html>");
    dir.write(".faults.jsonl", line(9, 99));  // no pid: not a log of ours
    fs::create_directory(dir.path / "3.faults.jsonl");
    auto files = fault_log_files(dir.path);
    REQUIRE(files.size() == 2);
    CHECK(files[0].filename() == "2.faults.jsonl");
    CHECK(files[1].filename() == "10.faults.jsonl");
    auto c = read_dir(dir.path);
    CHECK(c.pids == std::vector<int>{2, 2, 10});
    CHECK(c.problems.empty());
    CHECK(c.summary.records == 3);
}

TEST_CASE("report reader: garbage lines are named once and skipped") {
    TempDir dir;
    dir.write("2.faults.jsonl", line(1, 2) + "not json at all\n" + "\n" + R"({"seq":2,"time_ns":0,)" + "\n" +
                                    "[1,2,3]\r\n" + line(3, 2) + R"({"seq":4,"time_ns":0,"pid":2,"page":0})");
    auto c = read_dir(dir.path);
    CHECK(c.pids == std::vector<int>{2, 2});
    CHECK(c.summary.lines == 6);  // the empty line is not counted
    CHECK(c.summary.malformed == 4);
    REQUIRE(c.problems.size() == 4);
    const std::string file = (dir.path / "2.faults.jsonl").string();
    CHECK(c.problems[0] == file + ":2: skipped: column 1: expected a JSON value");
    CHECK(c.problems[1].starts_with(file + ":4: skipped: column 22: "));
    CHECK(c.problems[2] == file + ":5: skipped: not a JSON object");
    CHECK(c.problems[3] == file + ":7: skipped: missing field \"kind\"");
}

TEST_CASE("report reader: a file of binary garbage gives a bounded report") {
    TempDir dir;
    std::string garbage;
    for (int i = 0; i < 5000; ++i)
        garbage += static_cast<char>((i * 7919) % 256);
    dir.write("7.faults.jsonl", garbage);
    std::string many;
    for (int i = 0; i < 50; ++i)
        many += "{\n";
    dir.write("8.faults.jsonl", many + line(1, 8));
    auto c = read_dir(dir.path);
    CHECK(c.pids == std::vector<int>{8});
    CHECK(c.summary.malformed == c.summary.lines - 1);
    // At most kMaxProblemsPerFile lines per file plus one "N more" line.
    CHECK(c.problems.size() <= 2 * (kMaxProblemsPerFile + 1));
    CHECK(c.problems.back().ends_with(": 40 more malformed lines skipped"));
}
