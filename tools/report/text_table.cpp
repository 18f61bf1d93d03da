#include "tools/report/text_table.h"

#include <algorithm>

namespace tools::report {

namespace {

// Display width of UTF-8 text: one column per code point (good enough for names and "→").
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

}  // namespace

std::string TextTable::render() const {
    std::vector<std::size_t> widths(m_headers.size());
    for (std::size_t c = 0; c < m_headers.size(); ++c)
        widths[c] = width(m_headers[c]);
    for (const auto& row : m_rows)
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], width(row[c]));

    std::string out;
    auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string cell = c < cells.size() ? cells[c] : "";
            const bool last = c + 1 == widths.size();
            const std::string pad(widths[c] - std::min(widths[c], width(cell)), ' ');
            if (c > 0)
                line += "  ";
            if (m_align[c] == Align::Right)
                line += pad + cell;
            else
                line += last ? cell : cell + pad;
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line;
        out += '\n';
    };
    emit(m_headers);
    for (const auto& row : m_rows)
        emit(row);
    return out;
}

}  // namespace tools::report
