// FaultLog: the per-process fault logs of one run, DIR/<pid>.faults.jsonl, each written
// through its own buffer.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "os/trace/buffered_file.h"
#include "os/trace/fault_event.h"

namespace os::trace {

class FaultLog {
public:
    // Creates `dir` if it does not exist; ok() says whether it can be written.
    explicit FaultLog(std::string dir);
    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }
    const std::string& dir() const { return m_dir; }

    void record(const FaultEvent& e);
    // The process ended: its file is flushed and closed.
    void close(int pid);

private:
    BufferedFile& file_for(int pid);

    std::string m_dir;
    std::string m_error;
    std::map<int, std::unique_ptr<BufferedFile>> m_files;
};

}  // namespace os::trace
