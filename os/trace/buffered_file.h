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
    void flush();

private:
    std::string m_path;
    int m_fd = -1;
    std::string m_buffer;
    std::string m_error;
};

}  // namespace os::trace
