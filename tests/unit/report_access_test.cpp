// faultline report reading working-set samples (DIR/*.access.jsonl): a line as an
// AccessRecord, what is refused and why, and the directory reader's file:line messages.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tools/report/access_record.h"
#include "tools/report/log_reader.h"

using namespace tools::report;
namespace fs = std::filesystem;

namespace {

// The example line of the README's "Working-set samples" section.
constexpr const char* kReadmeLine =
    R"({"seq":11,"time_ns":2015000,"pid":3,"comm":"sched_probe","period_ns":1000000,"pages":9,)"
    R"("runs":[[4198400,6],[4227072,1],[4235264,1],[140737488347136,1]]})";

std::string sample(int seq, int pid, const std::string& runs, int pages) {
    return R"({"seq":)" + std::to_string(seq) + R"(,"time_ns":1000,"pid":)" + std::to_string(pid) +
           R"(,"comm":"p","period_ns":1000,"pages":)" + std::to_string(pages) + R"(,"runs":)" + runs + "}";
}

std::string refusal(const std::string& line) {
    auto r = parse_access_record(line);
    return r ? std::string("(parsed)") : r.error();
}

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/faultline-access-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
    }
    fs::path path;
};

}  // namespace

TEST_CASE("report access record: the README's example line") {
    auto r = parse_access_record(kReadmeLine);
    REQUIRE(r);
    CHECK(r->seq == 11);
    CHECK(r->time_ns == 2015000);
    CHECK(r->pid == 3);
    CHECK(r->comm == "sched_probe");
    CHECK(r->period_ns == 1000000);
    CHECK(r->pages == 9);
    CHECK(r->runs == std::vector<PageRun>{{4198400, 6}, {4227072, 1}, {4235264, 1}, {140737488347136, 1}});
}

TEST_CASE("report access record: an idle period, unknown fields, and what is refused") {
    auto idle = parse_access_record(R"({"seq":1,"time_ns":0,"pid":2,"period_ns":5,"pages":0,"runs":[],"new":{"x":[1]}})");
    REQUIRE(idle);
    CHECK(idle->runs.empty());
    CHECK(idle->comm.empty());

    CHECK(refusal(sample(1, 2, "[[4096,1]]", 1)) == "(parsed)");
    CHECK(refusal(R"({"seq":1,"time_ns":0,"pid":2,"period_ns":5,"pages":0})") == "missing field \"runs\"");
    CHECK(refusal(R"({"seq":1,"time_ns":0,"pid":2,"pages":0,"runs":[]})") == "missing field \"period_ns\"");
    CHECK(refusal(R"({"seq":1,"time_ns":0,"pid":2,"period_ns":0,"pages":0,"runs":[]})") ==
          "field \"period_ns\" is not a period (it is 0)");
    CHECK(refusal(R"({"seq":1,"time_ns":0,"pid":-2,"period_ns":5,"pages":0,"runs":[]})") ==
          "field \"pid\" is not a non-negative integer");
    CHECK(refusal(sample(1, 2, "{}", 0)) == "field \"runs\" is not an array");
    CHECK(refusal(sample(1, 2, "[[4096,1,2]]", 1)) == "runs[0] is not a [page address, page count] pair");
    CHECK(refusal(sample(1, 2, "[[4096,1],[8192,\"1\"]]", 2)) == "runs[1] is not a pair of non-negative integers");
    CHECK(refusal(sample(1, 2, "[[4097,1]]", 1)) == "runs[0]: 4097 is not a page address");
    CHECK(refusal(sample(1, 2, "[[4096,0]]", 0)) == "runs[0]: a page count of 0");
    CHECK(refusal(sample(1, 2, "[[4096,2],[8192,1]]", 3)) == "runs[1] overlaps or precedes the run before it");
    CHECK(refusal(sample(1, 2, "[[8192,1],[4096,1]]", 2)) == "runs[1] overlaps or precedes the run before it");
    CHECK(refusal(sample(1, 2, "[[4096,2],[16384,1]]", 4)) == "field \"pages\" is 4, the runs hold 3");
    // A run must end below 2^64: its end is computed.
    CHECK(refusal(sample(1, 2, "[[18446744073709547520,1]]", 1)) ==
          "runs[0]: a page count of 1 reaches the top of the address space");
    CHECK(refusal(sample(1, 2, "[[0,4503599627370495]]", 1)) == "field \"pages\" is 1, the runs hold 4503599627370495");
    CHECK(refusal(sample(1, 2, "[[0,4503599627370496]]", 0)) ==
          "runs[0]: a page count of 4503599627370496 reaches the top of the address space");
}

TEST_CASE("report access record: 5,000 mutated lines parse or fail, never crash") {
    std::mt19937 rng(4321);
    const std::string line = kReadmeLine;
    const std::string alphabet = "{}[]\":,.-+eE0123456789 \\nrunspage\x01\xff";
    int parsed = 0, unexplained = 0;
    for (int i = 0; i < 5000; ++i) {
        std::string s = line;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % (s.size() + 1);
            switch (rng() % 3) {
            case 0: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            case 1:
                if (at < s.size())
                    s.erase(at, 1 + rng() % 8);
                break;
            default:
                if (at < s.size())
                    s[at] = alphabet[rng() % alphabet.size()];
            }
        }
        auto r = parse_access_record(s);
        if (r)
            ++parsed;
        else if (r.error().empty())
            ++unexplained;
    }
    CHECK(unexplained == 0);
    CHECK(parsed > 0);
}

TEST_CASE("report access reader: only *.access.jsonl, in pid order; bad lines named once") {
    TempDir dir;
    dir.write("10.access.jsonl", sample(5, 10, "[[4096,1]]", 1) + "\n");
    dir.write("2.access.jsonl", sample(1, 2, "[]", 0) + "\nnot json\n\n" + sample(2, 2, "[[4096,1]]", 2) + "\r\n" +
                                    sample(3, 2, "[[4096,1]]", 1) + "\n");
    dir.write("2.faults.jsonl", "{}\n");
    dir.write(".access.jsonl", sample(9, 99, "[]", 0));  // no pid: not a log of ours
    const auto files = access_log_files(dir.path);
    REQUIRE(files.size() == 2);
    CHECK(files[0].filename() == "2.access.jsonl");
    CHECK(files[1].filename() == "10.access.jsonl");

    std::vector<std::uint64_t> seqs;
    std::vector<std::string> problems;
    const ReadSummary summary =
        read_access_logs(files, AccessReaderSinks{
                                    .record = [&](const AccessRecord& r) { seqs.push_back(r.seq); },
                                    .problem = [&](const std::string& p) { problems.push_back(p); },
                                });
    CHECK(seqs == std::vector<std::uint64_t>{1, 3, 5});
    CHECK(summary.lines == 5);
    CHECK(summary.records == 3);
    CHECK(summary.malformed == 2);
    const std::string file = (dir.path / "2.access.jsonl").string();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == file + ":2: skipped: column 1: expected a JSON value");
    CHECK(problems[1] == file + ":4: skipped: field \"pages\" is 2, the runs hold 1");
}
