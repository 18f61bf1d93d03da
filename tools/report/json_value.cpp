#include "tools/report/json_value.h"

#include <charconv>
#include <cmath>

namespace tools::report {

const JsonValue* JsonValue::find(std::string_view key) const {
    const JsonObject* object = as_object();
    if (!object)
        return nullptr;
    for (const auto& [name, value] : *object)
        if (name == key)
            return &value;
    return nullptr;
}

namespace {

// Deep enough for any sane log line, shallow enough that "[[[[…" cannot exhaust the stack.
constexpr int kMaxDepth = 64;

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    std::expected<JsonValue, std::string> parse_document() {
        skip_space();
        auto value = parse_value(0);
        if (!value)
            return value;
        skip_space();
        if (m_pos != m_text.size())
            return fail("unexpected text after the JSON value");
        return value;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;

    std::unexpected<std::string> fail(std::string_view what) const {
        std::string message = "column " + std::to_string(m_pos + 1) + ": ";
        message += what;
        return std::unexpected(std::move(message));
    }

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++m_pos;
    }

    bool consume_literal(std::string_view word) {
        if (m_text.substr(m_pos, word.size()) != word)
            return false;
        m_pos += word.size();
        return true;
    }

    std::expected<JsonValue, std::string> parse_value(int depth) {
        if (depth > kMaxDepth)
            return fail("nested too deeply");
        switch (peek()) {
        case '{': return parse_object(depth);
        case '[': return parse_array(depth);
        case '"': {
            auto s = parse_string();
            if (!s)
                return std::unexpected(s.error());
            return JsonValue(std::move(*s));
        }
        case 't':
            if (consume_literal("true"))
                return JsonValue(true);
            break;
        case 'f':
            if (consume_literal("false"))
                return JsonValue(false);
            break;
        case 'n':
            if (consume_literal("null"))
                return JsonValue();
            break;
        case '\0':
            if (at_end())
                return fail("unexpected end of line");
            break;
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
                return parse_number();
        }
        return fail("expected a JSON value");
    }

    std::expected<JsonValue, std::string> parse_object(int depth) {
        ++m_pos;  // '{'
        JsonObject members;
        members.reserve(16);  // a fault-log line has 15 members
        skip_space();
        if (peek() == '}') {
            ++m_pos;
            return JsonValue(std::move(members));
        }
        for (;;) {
            skip_space();
            if (peek() != '"')
                return fail("expected a member name");
            auto key = parse_string();
            if (!key)
                return std::unexpected(key.error());
            skip_space();
            if (peek() != ':')
                return fail("expected ':'");
            ++m_pos;
            skip_space();
            auto value = parse_value(depth + 1);
            if (!value)
                return value;
            members.emplace_back(std::move(*key), std::move(*value));
            skip_space();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return JsonValue(std::move(members));
            }
            return fail("expected ',' or '}'");
        }
    }

    std::expected<JsonValue, std::string> parse_array(int depth) {
        ++m_pos;  // '['
        JsonArray items;
        skip_space();
        if (peek() == ']') {
            ++m_pos;
            return JsonValue(std::move(items));
        }
        for (;;) {
            skip_space();
            auto value = parse_value(depth + 1);
            if (!value)
                return value;
            items.push_back(std::move(*value));
            skip_space();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                return JsonValue(std::move(items));
            }
            return fail("expected ',' or ']'");
        }
    }

    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    std::expected<std::uint32_t, std::string> parse_hex4() {
        if (m_pos + 4 > m_text.size())
            return fail("short \\u escape");
        std::uint32_t cp = 0;
        auto [end, ec] = std::from_chars(m_text.data() + m_pos, m_text.data() + m_pos + 4, cp, 16);
        if (ec != std::errc() || end != m_text.data() + m_pos + 4)
            return fail("bad \\u escape");
        m_pos += 4;
        return cp;
    }

    std::expected<std::string, std::string> parse_string() {
        ++m_pos;  // '"'
        std::string out;
        for (;;) {
            // Plain characters in one go: most strings have no escapes.
            const std::size_t plain = m_pos;
            while (!at_end() && m_text[m_pos] != '"' && m_text[m_pos] != '\\' &&
                   static_cast<unsigned char>(m_text[m_pos]) >= 0x20)
                ++m_pos;
            out.append(m_text, plain, m_pos - plain);
            if (at_end())
                return fail("unterminated string");
            const char c = m_text[m_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_end())
                return fail("unterminated string");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                auto cp = parse_hex4();
                if (!cp)
                    return std::unexpected(cp.error());
                std::uint32_t code = *cp;
                if (code >= 0xd800 && code < 0xdc00 && consume_literal("\\u")) {
                    auto low = parse_hex4();
                    if (!low)
                        return std::unexpected(low.error());
                    if (*low >= 0xdc00 && *low < 0xe000)
                        code = 0x10000 + ((code - 0xd800) << 10) + (*low - 0xdc00);
                }
                append_utf8(out, code);
                break;
            }
            default: return fail("bad escape in a string");
            }
        }
    }

    std::expected<JsonValue, std::string> parse_number() {
        const std::size_t start = m_pos;
        JsonNumber number;
        if (peek() == '-') {
            number.negative = true;
            ++m_pos;
        }
        const std::size_t digits = m_pos;
        while (peek() >= '0' && peek() <= '9')
            ++m_pos;
        if (m_pos == digits)
            return fail("expected digits");
        bool fraction = false;
        if (peek() == '.') {
            fraction = true;
            ++m_pos;
            while (peek() >= '0' && peek() <= '9')
                ++m_pos;
        }
        if (peek() == 'e' || peek() == 'E') {
            fraction = true;
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            while (peek() >= '0' && peek() <= '9')
                ++m_pos;
        }
        const char* first = m_text.data() + start;
        const char* last = m_text.data() + m_pos;
        auto [end, ec] = std::from_chars(first, last, number.value);
        if (ec == std::errc::invalid_argument || end != last)
            return fail("bad number");
        if (!fraction) {
            auto [iend, iec] = std::from_chars(m_text.data() + digits, last, number.magnitude);
            number.is_integer = iec == std::errc() && iend == last;
        }
        if (!std::isfinite(number.value) && !number.is_integer)
            return fail("number out of range");
        return JsonValue(number);
    }
};

}  // namespace

std::expected<JsonValue, std::string> parse_json(std::string_view text) { return Parser(text).parse_document(); }

}  // namespace tools::report
