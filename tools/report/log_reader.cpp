#include "tools/report/log_reader.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <system_error>

namespace tools::report {

namespace {

// The pid in "<pid>.faults.jsonl", or a number past every pid for other names.
std::uint64_t leading_number(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec != std::errc() || end == name.data())
        return ~std::uint64_t{0};
    return n;
}

template <class Record, class Parse>
ReadSummary read_records(const std::vector<std::filesystem::path>& files, Parse parse,
                         const std::function<void(const Record&)>& record, const ProblemSink& problem) {
    return read_log_lines(
        files,
        [&](std::string_view line) -> std::optional<std::string> {
            auto parsed = parse(line);
            if (!parsed)
                return std::move(parsed.error());
            record(*parsed);
            return std::nullopt;
        },
        problem);
}

}  // namespace

std::vector<std::filesystem::path> log_files(const std::filesystem::path& dir, std::string_view suffix) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > suffix.size() && name.ends_with(suffix) && it->is_regular_file(ec))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        const auto na = leading_number(a), nb = leading_number(b);
        return na != nb ? na < nb : a.filename() < b.filename();
    });
    return files;
}

ReadSummary read_log_lines(const std::vector<std::filesystem::path>& files, const LineSink& take,
                           const ProblemSink& problem) {
    ReadSummary summary;
    summary.files = files;
    std::string line;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            problem(file.string() + ": cannot open");
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
            const std::optional<std::string> why = take(line);
            if (!why) {
                ++summary.records;
                continue;
            }
            ++summary.malformed;
            if (++bad_here <= kMaxProblemsPerFile)
                problem(file.string() + ":" + std::to_string(number) + ": skipped: " + *why);
        }
        if (bad_here > kMaxProblemsPerFile)
            problem(file.string() + ": " + std::to_string(bad_here - kMaxProblemsPerFile) +
                    " more malformed lines skipped");
    }
    return summary;
}

ReadSummary read_fault_logs(const std::vector<std::filesystem::path>& files, const LogReaderSinks& sinks) {
    return read_records<FaultRecord>(files, parse_fault_record, sinks.record, sinks.problem);
}

ReadSummary read_access_logs(const std::vector<std::filesystem::path>& files, const AccessReaderSinks& sinks) {
    return read_records<AccessRecord>(files, parse_access_record, sinks.record, sinks.problem);
}

}  // namespace tools::report
