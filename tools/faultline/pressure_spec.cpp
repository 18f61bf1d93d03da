#include "tools/faultline/pressure_spec.h"

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "tools/faultline/duration.h"
#include "tools/faultline/size.h"

namespace tools {

namespace {

using os::mm::PressureAction;
using os::mm::PressureClock;
using os::mm::PressureStep;

constexpr std::uint64_t kPageSize = 4096;
constexpr std::uint64_t kMinRamBytes = 1ull << 20;
// The shortest interval of a periodic step on the clock: shorter ones would fall due many
// times within one scheduling quantum (1 ms).
constexpr std::uint64_t kMinPeriodNs = 100'000;

struct Point {
    PressureClock clock;
    std::uint64_t value;
};

std::optional<std::uint64_t> parse_count(std::string_view word) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
    if (ec != std::errc() || end != word.data() + word.size())
        return std::nullopt;
    return n;
}

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
            ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            ++i;
        if (i > start)
            words.push_back(text.substr(start, i - start));
    }
    return words;
}

// Reads one step's words.
class StepParser {
public:
    StepParser(std::string_view text, std::vector<std::string_view> words) : m_text(text), m_words(std::move(words)) {}

    std::expected<PressureStep, std::string> parse() {
        while (m_pos < m_words.size()) {
            const std::string_view word = m_words[m_pos++];
            std::optional<std::string> error;
            if (word == "at" || word == "after" || word == "every")
                error = when(word);
            else if (word == "from" || word == "until")
                error = bound(word);
            else if (word == "ram" || word == "steal" || word == "give")
                error = action(word);
            else
                error = "unknown word '" + std::string(word) +
                        "' (expected at, after, every, from, until, ram, steal or give)";
            if (error)
                return fail(*error);
        }
        return finish();
    }

private:
    std::unexpected<std::string> fail(const std::string& why) const {
        return std::unexpected("step '" + std::string(m_text) + "': " + why);
    }

    std::string next_word_text() const {
        return m_pos < m_words.size() ? "'" + std::string(m_words[m_pos]) + "'" : "nothing";
    }

    // POINT after `keyword`.
    std::expected<Point, std::string> point(std::string_view keyword) {
        const std::string expected = "'" + std::string(keyword) +
                                     "' needs a time (like 50ms) or a fault count (like 1000 faults), not ";
        if (m_pos >= m_words.size())
            return std::unexpected(expected + "nothing");
        const std::string_view word = m_words[m_pos];
        if (const auto ns = parse_duration_ns(word)) {
            ++m_pos;
            return Point{PressureClock::Time, *ns};
        }
        const auto n = parse_count(word);
        if (n && m_pos + 1 < m_words.size() && (m_words[m_pos + 1] == "faults" || m_words[m_pos + 1] == "fault")) {
            m_pos += 2;
            return Point{PressureClock::Faults, *n};
        }
        if (n && *n == 0) {
            ++m_pos;
            return Point{PressureClock::Time, 0};
        }
        return std::unexpected(expected + "'" + std::string(word) + "'");
    }

    std::optional<std::string> when(std::string_view keyword) {
        if (m_when)
            return "two times in one step ('" + std::string(*m_when) + "' and '" + std::string(keyword) +
                   "'): separate steps with ';'";
        m_when = keyword;
        auto p = point(keyword);
        if (!p)
            return p.error();
        m_step.clock = p->clock;
        if (keyword == "every") {
            if (p->value == 0)
                return "'every' needs an interval above 0";
            if (p->clock == PressureClock::Time && p->value < kMinPeriodNs)
                return "'every " + std::string(m_words[m_pos - 1]) + "': the shortest interval is 100us";
            m_step.period = p->value;
            m_step.first = p->value;
        } else {
            m_step.first = p->value;
        }
        return std::nullopt;
    }

    std::optional<std::string> bound(std::string_view keyword) {
        auto p = point(keyword);
        if (!p)
            return p.error();
        (keyword == "from" ? m_from : m_until) = *p;
        return std::nullopt;
    }

    std::optional<std::string> action(std::string_view keyword) {
        if (m_action)
            return "two actions in one step ('" + std::string(*m_action) + "' and '" + std::string(keyword) +
                   "'): separate steps with ';'";
        m_action = keyword;
        if (m_pos >= m_words.size())
            return "'" + std::string(keyword) + "' needs " +
                   (keyword == "ram" ? "a size (like 8M)" : "an amount (16 frames, or a size like 64K)") + ", not nothing";
        const std::string_view word = m_words[m_pos++];
        if (keyword == "ram") {
            const auto bytes = parse_size(word);
            if (!bytes)
                return "'ram' needs a size (like 8M), not '" + std::string(word) + "'";
            if (*bytes < kMinRamBytes)
                return "'ram " + std::string(word) + "': RAM cannot be smaller than 1M";
            m_step.action = PressureAction::SetRam;
            m_step.frames = *bytes / kPageSize;
            return std::nullopt;
        }
        m_step.action = keyword == "steal" ? PressureAction::Steal : PressureAction::Give;
        if (const auto n = parse_count(word)) {
            m_step.frames = *n;
            if (m_pos < m_words.size() && (m_words[m_pos] == "frames" || m_words[m_pos] == "frame" ||
                                           m_words[m_pos] == "pages" || m_words[m_pos] == "page"))
                ++m_pos;
        } else if (const auto bytes = parse_size(word)) {
            m_step.frames = (*bytes + kPageSize - 1) / kPageSize;
        } else {
            return "'" + std::string(keyword) + "' needs an amount (16 frames, or a size like 64K), not '" +
                   std::string(word) + "'";
        }
        if (m_step.frames == 0)
            return "'" + std::string(keyword) + " " + std::string(word) + "': nothing to " + std::string(keyword);
        return std::nullopt;
    }

    std::expected<PressureStep, std::string> finish() {
        if (!m_when)
            return fail("no time: say when, with 'at TIME', 'after N faults' or 'every INTERVAL'");
        if (!m_action)
            return fail("no action: say what, with 'ram SIZE', 'steal AMOUNT' or 'give AMOUNT'");
        const bool periodic = *m_when == "every";
        for (const auto& [bound_point, name] : {std::pair{m_from, "from"}, std::pair{m_until, "until"}}) {
            if (!bound_point)
                continue;
            if (!periodic)
                return fail("'" + std::string(name) + "' goes with 'every', not with '" + std::string(*m_when) + "'");
            if (bound_point->clock != m_step.clock)
                return fail("'every' and '" + std::string(name) +
                            "' must both be times or both be fault counts");
        }
        if (m_from)
            m_step.first = m_from->value;
        if (m_until)
            m_step.until = m_until->value;
        if (m_step.until < m_step.first)
            return fail("it never happens: 'until' comes before the first time");
        m_step.text = std::string(m_text);
        return m_step;
    }

    std::string_view m_text;
    std::vector<std::string_view> m_words;
    std::size_t m_pos = 0;
    PressureStep m_step;
    std::optional<std::string_view> m_when;
    std::optional<std::string_view> m_action;
    std::optional<Point> m_from, m_until;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::expected<std::vector<PressureStep>, std::string> parse_pressure_spec(std::string_view text) {
    std::vector<PressureStep> steps;
    std::size_t line_start = 0;
    while (line_start <= text.size()) {
        std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string_view::npos)
            line_end = text.size();
        std::string_view line = text.substr(line_start, line_end - line_start);
        line = line.substr(0, line.find('#'));
        std::size_t step_start = 0;
        while (step_start <= line.size()) {
            std::size_t step_end = line.find(';', step_start);
            if (step_end == std::string_view::npos)
                step_end = line.size();
            const std::string_view step_text = trim(line.substr(step_start, step_end - step_start));
            if (!step_text.empty()) {
                auto step = StepParser(step_text, split_words(step_text)).parse();
                if (!step)
                    return std::unexpected(step.error());
                steps.push_back(std::move(*step));
            }
            step_start = step_end + 1;
        }
        line_start = line_end + 1;
    }
    if (steps.empty())
        return std::unexpected(std::string("no steps (expected something like 'at 50ms ram 8M')"));
    return steps;
}

std::expected<std::string, std::string> expand_at_file(const std::string& argument) {
    if (argument.empty() || argument[0] != '@')
        return argument;
    const std::string path = argument.substr(1);
    std::ifstream in(path);
    if (!in)
        return std::unexpected("cannot read " + path);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

}  // namespace tools
