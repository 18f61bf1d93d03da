#include "tools/report/log_reader.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <system_error>

namespace tools::report {

namespace {

constexpr std::string_view kSuffix = ".faults.jsonl";

// The pid in "<pid>.faults.jsonl", or a number past every pid for other names.
std::uint64_t leading_number(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec != std::errc() || end == name.data())
        return ~std::uint64_t{0};
    return n;
}

}  // namespace

std::vector<std::filesystem::path> fault_log_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > kSuffix.size() && name.ends_with(kSuffix) && it->is_regular_file(ec))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        const auto na = leading_number(a), nb = leading_number(b);
        return na != nb ? na < nb : a.filename() < b.filename();
    });
    return files;
}

ReadSummary read_fault_logs(const std::vector<std::filesystem::path>& files, const LogReaderSinks& sinks) {
    ReadSummary summary;
    summary.files = files;
    std::string line;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            sinks.problem(file.string() + ": cannot open");
            continue;
        }
        std::uint64_t number = 0;
        std::uint64_t bad_here = 0;
        while (std::getline(in, line)) {
            ++number;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos)
                continue;
            ++summary.lines;
            auto record = parse_fault_record(line);
            if (record) {
                ++summary.records;
                sinks.record(*record);
                continue;
            }
            ++summary.malformed;
            if (++bad_here <= kMaxProblemsPerFile)
                sinks.problem(file.string() + ":" + std::to_string(number) + ": skipped: " + record.error());
        }
        if (bad_here > kMaxProblemsPerFile)
            sinks.problem(file.string() + ": " + std::to_string(bad_here - kMaxProblemsPerFile) +
                          " more malformed lines skipped");
    }
    return summary;
}

}  // namespace tools::report
