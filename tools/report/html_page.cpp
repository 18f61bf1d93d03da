#include "tools/report/html_page.h"

#include "tools/report/page_assets.h"

namespace tools::report {

namespace {

std::string escape_html(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string render_html_page(std::string_view title, std::string_view data_json) {
    const std::string escaped_title = escape_html(title);
    const struct {
        std::string_view placeholder;
        std::string_view text;
    } fills[] = {
        {"@FAULTLINE_TITLE@", escaped_title},
        {"@FAULTLINE_CSS@", page_style()},
        {"@FAULTLINE_DATA@", data_json},
        {"@FAULTLINE_JS@", page_script()},
    };
    // One pass over the template, so text put in is never searched for placeholders.
    const std::string_view page = page_template();
    std::string out;
    out.reserve(page.size() + page_style().size() + page_script().size() + data_json.size());
    std::size_t pos = 0;
    while (pos < page.size()) {
        const std::size_t at = page.find("@FAULTLINE_", pos);
        if (at == std::string_view::npos) {
            out += page.substr(pos);
            break;
        }
        out += page.substr(pos, at - pos);
        bool filled = false;
        for (const auto& fill : fills) {
            if (page.substr(at, fill.placeholder.size()) == fill.placeholder) {
                out += fill.text;
                pos = at + fill.placeholder.size();
                filled = true;
                break;
            }
        }
        if (!filled) {
            out += '@';
            pos = at + 1;
        }
    }
    return out;
}

}  // namespace tools::report
