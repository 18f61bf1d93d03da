// BufferedFile: an append-only host file written through a buffer (a few large writes,
// never one per record). Errors are remembered and reported once, not per record.
#pragma once

#include <string>
#include <string_view>

namespace os::trace {

class BufferedFile {
public:
    static constexpr std::size_t kBufferBytes = 256 * 1024;

    // Creates or truncates `path`; ok() says whether that worked.
    explicit BufferedFile(std::string path);
    ~BufferedFile();
    BufferedFile(const BufferedFile&) = delete;
    BufferedFile& operator=(const BufferedFile&) = delete;

    bool ok() const { return m_fd >= 0 && m_error.empty(); }
    const std::string& error() const { return m_error; }
    const std::string& path() const { return m_path; }
    void append(std::string_view text);
    // Appends what `write(char* at)` writes at `at`, at most `max` bytes; it returns the end
    // of what it wrote. (No copy of a temporary string per record.)
    template <class Write>
    void append_with(std::size_t max, Write&& write) {
        if (m_buffer.size() + max > m_buffer.capacity())
            flush();
        const std::size_t old = m_buffer.size();
        m_buffer.resize_and_overwrite(old + max, [&](char* p, std::size_t) {
            return static_cast<std::size_t>(write(p + old) - p);
        });
        if (m_buffer.size() >= kBufferBytes)
            flush();
    }
    void flush();

private:
    std::string m_path;
    int m_fd = -1;
    std::string m_buffer;
    std::string m_error;
};

}  // namespace os::trace
