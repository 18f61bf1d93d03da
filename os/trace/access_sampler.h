// AccessSampler: --sample-access PERIOD. Every PERIOD of virtual time each process's
// Accessed bits are read and cleared (AddressSpace::take_young_pages): the pages touched in
// that period, a working-set sample as DAMON takes one, written to DIR/<pid>.access.jsonl.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "os/mm/address_space.h"
#include "os/trace/buffered_file.h"

namespace os::trace {

class AccessSampler {
public:
    AccessSampler(std::string dir, std::uint64_t period_ns) : m_dir(std::move(dir)), m_period_ns(period_ns) {}

    std::uint64_t period_ns() const { return m_period_ns; }
    // When the next sample is due (elapsed virtual ns).
    std::uint64_t next_due() const { return m_next_due; }
    // Moves the schedule past `now` (after the samples of one round were taken).
    void advance(std::uint64_t now);

    // One sample of one process: `runs` are the pages touched since its last sample.
    void record(std::uint64_t seq, std::uint64_t now, int pid, const std::string& comm,
                const std::vector<mm::PageRun>& runs);
    void close(int pid);

private:
    std::string m_dir;
    std::uint64_t m_period_ns;
    std::uint64_t m_next_due = 0;
    std::map<int, std::unique_ptr<BufferedFile>> m_files;
};

}  // namespace os::trace
