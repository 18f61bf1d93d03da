// TraceFile: one output of a trace (a file faultline created, or its own stderr). Lines
// collect in memory and go out in large writes, not one write per line.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace os::trace {

class TraceFile {
public:
    // Creates (or truncates) `path`, or appends to it; the errno if it cannot.
    enum class Open { Truncate, Append };
    static std::expected<TraceFile, int> create(const std::string& path, Open how);
    // faultline's stderr (not closed).
    static TraceFile standard_error();
    // A file that could not be opened: what is written to it is dropped.
    static TraceFile discard(std::string name);

    TraceFile(TraceFile&& other) noexcept;
    TraceFile& operator=(TraceFile&& other) noexcept;
    TraceFile(const TraceFile&) = delete;
    TraceFile& operator=(const TraceFile&) = delete;
    ~TraceFile();

    const std::string& name() const { return m_name; }
    // Adds `text` to the buffer; writes the buffer out once it is large.
    void append(std::string_view text);
    // Writes out everything buffered.
    void flush();

private:
    static constexpr std::size_t kFlushBytes = 64 * 1024;

    TraceFile(int fd, bool owned, std::string name) : m_fd(fd), m_owned(owned), m_name(std::move(name)) {}
    void close();

    int m_fd = -1;
    bool m_owned = false;
    bool m_failed = false;  // a write failed: reported once, the rest is dropped
    std::string m_name;
    std::string m_buffer;
};

}  // namespace os::trace
