// The page cache: file pages in frames, one copy per file, shared by every mapping of it.
//
// A CachedFile is Linux's struct address_space of an inode: the file's pages by index,
// plus the address spaces that map it (i_mmap), so that truncation can unmap pages beyond
// the new end of file. MAP_SHARED mappings map the cached frames themselves; MAP_PRIVATE
// mappings map them read-only and copy on the first write.
#pragma once

#include <compare>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "os/mm/physical_memory.h"
#include "os/mm/types.h"
#include "os/result.h"

namespace os::mm {

class AddressSpace;
enum class FaultError : std::uint8_t;

struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    auto operator<=>(const FileIdentity&) const = default;
};

class CachedFile {
public:
    // Takes ownership of `host_fd`, a descriptor of the file opened for reading.
    CachedFile(PhysicalMemory& pmem, int host_fd, std::string path, FileIdentity id);
    ~CachedFile();
    CachedFile(const CachedFile&) = delete;
    CachedFile& operator=(const CachedFile&) = delete;

    const std::string& path() const { return m_path; }
    FileIdentity identity() const { return m_id; }
    // The file's current size on the host.
    std::uint64_t size() const;

    // The frame holding page `index`, read from the file on a miss (`*major` tells which).
    // BusError when the page lies wholly beyond end of file.
    std::expected<Pfn, FaultError> get_page(std::uint64_t index, bool* major);
    std::optional<Pfn> find_page(std::uint64_t index) const;
    // Whether the machine's page cache holds pages [first, first + count), one byte per
    // page: pages this cache has, and pages the host's page cache has (faultline's guest
    // shares the host's files, and a page the host has cached, for instance because the
    // guest just wrote it, is one Linux would have cached too; reading it costs no I/O).
    std::vector<std::uint8_t> cached(std::uint64_t first, std::uint64_t count) const;
    std::uint64_t cached_pages() const { return m_pages.size(); }

    // read(2) of a file with cached pages: cached pages are copied (they may hold a shared
    // mapping's stores not yet written back), the rest is read from the file. Stops at end
    // of file.
    KResult<std::uint64_t> read(std::uint64_t offset, std::span<std::byte> buf) const;
    // Keeps cached pages equal to the file after `data` was written to it at `offset`.
    void update_after_write(std::uint64_t offset, std::span<const std::byte> data);
    // Writes page `index` back to the file, clipped at end of file (msync, munmap, exit).
    KResult<void> write_back(std::uint64_t index);
    // Gives the cache a descriptor it may write through (from a MAP_SHARED writable
    // mapping's file); the first one is kept. Takes ownership of `host_fd`.
    void adopt_write_fd(int host_fd);
    bool can_write_back() const { return m_write_fd >= 0; }

    // The file was truncated to `new_size`: pages wholly beyond it are unmapped from every
    // address space mapping the file and dropped; the tail of the new last page is zeroed.
    void truncate(std::uint64_t new_size);
    // MADV_REMOVE: deallocates the page-aligned range on the host (fallocate PUNCH_HOLE,
    // keeping the size), unmaps its pages from every mapper (private copies stay) and drops
    // them from the cache, so the range reads zero. EOPNOTSUPP where the host file system
    // cannot punch holes.
    KResult<void> punch_hole(std::uint64_t offset, std::uint64_t length);
    // MADV_WILLNEED: reads pages [first, first + count) into the cache, up to end of file.
    void read_ahead(std::uint64_t first, std::uint64_t count);
    // mincore's can_do_mincore(): Linux shows page-cache residency only to a process that
    // owns the file or could open it for writing.
    bool may_reveal_residency() const;

    // i_mmap: address spaces with VMAs of this file.
    void add_mapper(AddressSpace* mm) { m_mappers.insert(mm); }
    void remove_mapper(AddressSpace* mm) { m_mappers.erase(mm); }
    bool is_mapped() const { return !m_mappers.empty(); }
    const std::set<AddressSpace*>& mappers() const { return m_mappers; }

    // Drops up to `target` pages that nothing but the cache holds (clean, unmapped).
    // Returns how many frames were freed.
    std::uint64_t shrink(std::uint64_t target);
    // Writes back the pages whose earlier write-back failed (they are marked dirty).
    void write_back_dirty();
    // __remove_mapping() for page reclaim: page `index`, which nothing but the cache holds
    // any more and which the file has (written back), leaves the cache; its frame is freed.
    void remove_page(std::uint64_t index);
    // The file changed on the host since the cache last saw it (not through faultline).
    bool is_stale() const;

private:
    PhysicalMemory& m_pmem;
    int m_read_fd;
    int m_write_fd = -1;
    std::string m_path;
    FileIdentity m_id;
    std::map<std::uint64_t, Pfn> m_pages;
    std::set<AddressSpace*> m_mappers;
    // The host file's modification time and size as of the cache's own last look or write.
    std::int64_t m_known_mtime_ns = 0;
    std::uint64_t m_known_size = 0;
    void remember_host_state();
};

// All cached files of the machine, by identity. Registered with PhysicalMemory as a
// shrinker: when frames run out, unmapped clean cache pages go first.
class PageCache final : public Shrinker {
public:
    explicit PageCache(PhysicalMemory& pmem);
    ~PageCache() override;
    PageCache(const PageCache&) = delete;
    PageCache& operator=(const PageCache&) = delete;

    // The cached file behind host descriptor `host_fd` (whose path is `path`). The cache
    // opens a descriptor of its own. Stale entries (the file changed on the host while
    // nothing mapped it) are dropped first.
    KResult<std::shared_ptr<CachedFile>> get(int host_fd, const std::string& path);
    // The cached file for an identity, if there is one (the write(2) path).
    std::shared_ptr<CachedFile> find(FileIdentity id) const;

    std::uint64_t cached_pages() const;
    std::uint64_t shrink(std::uint64_t target) override;
    // Forgets the files nobody maps or holds open that have no cached page left (page
    // reclaim takes pages from files directly).
    void prune();
    // Shutdown, once every process has exited (Linux's sync and drop_caches): pages whose
    // write-back failed are written back once more, and every file nothing else holds
    // leaves the cache with its pages. A file still held elsewhere keeps its frames (a
    // leak the kernel's exit check reports).
    void release_all();

private:
    PhysicalMemory& m_pmem;
    std::map<FileIdentity, std::shared_ptr<CachedFile>> m_files;
};

}  // namespace os::mm
