// TextTable: columns padded to their widest cell, for the terminal.
#pragma once

#include <string>
#include <vector>

namespace tools::report {

enum class Align { Left, Right };

class TextTable {
public:
    void add_column(std::string header, Align align) {
        m_headers.push_back(std::move(header));
        m_align.push_back(align);
    }
    void add_row(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }
    // Two spaces between columns; the last column is not padded.
    std::string render() const;

private:
    std::vector<std::string> m_headers;
    std::vector<Align> m_align;
    std::vector<std::vector<std::string>> m_rows;
};

}  // namespace tools::report
