#include "os/mm/page_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "os/mm/address_space.h"

namespace os::mm {

using linux_abi::Errno;

namespace {

Errno from_host(int e) { return (e > 0 && e < 134) ? static_cast<Errno>(e) : Errno::eio; }

struct HostState {
    std::int64_t mtime_ns = 0;
    std::uint64_t size = 0;
};

HostState host_state(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return {};
    return {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<std::uint64_t>(st.st_size)};
}

}  // namespace

CachedFile::CachedFile(PhysicalMemory& pmem, int host_fd, std::string path, FileIdentity id)
    : m_pmem(pmem), m_read_fd(host_fd), m_path(std::move(path)), m_id(id) {
    remember_host_state();
}

CachedFile::~CachedFile() {
    for (auto& [index, pfn] : m_pages)
        m_pmem.put(pfn);
    ::close(m_read_fd);
    if (m_write_fd >= 0)
        ::close(m_write_fd);
}

void CachedFile::remember_host_state() {
    HostState s = host_state(m_read_fd);
    m_known_mtime_ns = s.mtime_ns;
    m_known_size = s.size;
}

bool CachedFile::is_stale() const {
    HostState s = host_state(m_read_fd);
    return s.mtime_ns != m_known_mtime_ns || s.size != m_known_size;
}

std::uint64_t CachedFile::size() const { return host_state(m_read_fd).size; }

std::optional<Pfn> CachedFile::find_page(std::uint64_t index) const {
    auto it = m_pages.find(index);
    if (it == m_pages.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::uint8_t> CachedFile::cached(std::uint64_t first, std::uint64_t count) const {
    std::vector<std::uint8_t> out(count, 0);
    bool all = true;
    for (std::uint64_t i = 0; i < count; ++i) {
        out[i] = m_pages.contains(first + i);
        all &= out[i] != 0;
    }
    if (all || count == 0 || first + count > (std::uint64_t{1} << (63 - kPageShift)))
        return out;
    // The host's page cache, through a mapping of our own: mincore() on it.
    const std::uint64_t length = count << kPageShift;
    void* host = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, m_read_fd, static_cast<off_t>(first << kPageShift));
    if (host == MAP_FAILED)
        return out;
    std::vector<unsigned char> vec(count, 0);
    if (::mincore(host, length, vec.data()) == 0) {
        for (std::uint64_t i = 0; i < count; ++i)
            out[i] |= vec[i] & 1;
    }
    ::munmap(host, length);
    return out;
}

std::expected<Pfn, FaultError> CachedFile::get_page(std::uint64_t index, bool* major) {
    if (auto hit = find_page(index)) {
        *major = false;
        return *hit;
    }
    const std::uint64_t offset = index << kPageShift;
    if (offset >= page_round_up(size()))
        return std::unexpected(FaultError::BusError);
    auto pfn = m_pmem.allocate(FrameUse::File);
    if (!pfn)
        return std::unexpected(FaultError::OutOfMemory);
    std::byte* data = m_pmem.frame_data(*pfn);
    std::uint64_t done = 0;
    while (done < kPageSize) {
        ssize_t r = ::pread(m_read_fd, data + done, kPageSize - done, static_cast<off_t>(offset + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            m_pmem.put(*pfn);
            return std::unexpected(FaultError::BusError);  // an I/O error on a mapped page
        }
        if (r == 0)
            break;  // end of file: the rest of the page stays zero
        done += static_cast<std::uint64_t>(r);
    }
    m_pages.emplace(index, *pfn);
    // The reverse map: page `index` of this file (page->mapping, page->index).
    FrameInfo& f = m_pmem.info(*pfn);
    f.rmap = RmapKind::File;
    f.mapping = this;
    f.index = index;
    *major = true;
    return *pfn;
}

KResult<std::uint64_t> CachedFile::read(std::uint64_t offset, std::span<std::byte> buf) const {
    const std::uint64_t file_size = size();
    if (offset >= file_size)
        return 0;
    const std::uint64_t total = std::min<std::uint64_t>(buf.size(), file_size - offset);
    std::uint64_t done = 0;
    while (done < total) {
        const std::uint64_t pos = offset + done;
        const std::uint64_t chunk = std::min<std::uint64_t>(total - done, kPageSize - page_offset(pos));
        if (auto pfn = find_page(pos >> kPageShift)) {
            std::memcpy(buf.data() + done, m_pmem.frame_data(*pfn) + page_offset(pos), chunk);
        } else {
            ssize_t r = ::pread(m_read_fd, buf.data() + done, chunk, static_cast<off_t>(pos));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return done ? KResult<std::uint64_t>(done) : err(from_host(errno));
            if (r == 0)
                break;
            done += static_cast<std::uint64_t>(r);
            continue;
        }
        done += chunk;
    }
    return done;
}

void CachedFile::update_after_write(std::uint64_t offset, std::span<const std::byte> data) {
    std::uint64_t done = 0;
    while (done < data.size()) {
        const std::uint64_t pos = offset + done;
        const std::uint64_t chunk = std::min<std::uint64_t>(data.size() - done, kPageSize - page_offset(pos));
        if (auto pfn = find_page(pos >> kPageShift)) {
            std::memcpy(m_pmem.frame_data(*pfn) + page_offset(pos), data.data() + done, chunk);
            m_pmem.contents_changed(*pfn);
        }
        done += chunk;
    }
    remember_host_state();
}

void CachedFile::adopt_write_fd(int host_fd) {
    if (m_write_fd >= 0) {
        ::close(host_fd);
        return;
    }
    m_write_fd = host_fd;
}

KResult<void> CachedFile::write_back(std::uint64_t index) {
    auto pfn = find_page(index);
    if (!pfn)
        return {};
    if (m_write_fd < 0)
        return err(Errno::ebadf);
    const std::uint64_t offset = index << kPageShift;
    const std::uint64_t file_size = size();
    if (offset >= file_size)
        return {};  // nothing of this page is inside the file any more
    const std::uint64_t length = std::min<std::uint64_t>(kPageSize, file_size - offset);
    const std::byte* data = m_pmem.frame_data(*pfn);
    std::uint64_t done = 0;
    while (done < length) {
        ssize_t w = ::pwrite(m_write_fd, data + done, length - done, static_cast<off_t>(offset + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return err(from_host(errno));
        done += static_cast<std::uint64_t>(w);
    }
    remember_host_state();
    return {};
}

void CachedFile::truncate(std::uint64_t new_size) {
    const std::uint64_t first_gone = page_round_up(new_size) >> kPageShift;
    // Unmap what lies beyond the new end from everyone who maps the file (Linux's
    // unmap_mapping_range over i_mmap); then the pages can go.
    for (AddressSpace* mm : std::set<AddressSpace*>(m_mappers))
        mm->zap_file_pages(this, first_gone);
    for (auto it = m_pages.lower_bound(first_gone); it != m_pages.end();) {
        m_pmem.put(it->second);
        it = m_pages.erase(it);
    }
    if (page_offset(new_size)) {
        if (auto pfn = find_page(new_size >> kPageShift)) {
            std::memset(m_pmem.frame_data(*pfn) + page_offset(new_size), 0, kPageSize - page_offset(new_size));
            m_pmem.contents_changed(*pfn);
        }
    }
    remember_host_state();
}

KResult<void> CachedFile::punch_hole(std::uint64_t offset, std::uint64_t length) {
    int fd = m_write_fd;
    int own = -1;
    if (fd < 0) {
        own = ::open(("/proc/self/fd/" + std::to_string(m_read_fd)).c_str(), O_WRONLY | O_CLOEXEC);
        if (own < 0)
            return err(from_host(errno));
        fd = own;
    }
    const int r = ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                              static_cast<off_t>(length));
    const int saved = errno;
    if (own >= 0)
        ::close(own);
    if (r != 0)
        return err(from_host(saved));
    const std::uint64_t first = offset >> kPageShift;
    const std::uint64_t last = (offset + length) >> kPageShift;
    for (AddressSpace* mm : std::set<AddressSpace*>(m_mappers))
        mm->zap_file_range(this, first, last, false);
    for (auto it = m_pages.lower_bound(first); it != m_pages.end() && it->first < last;) {
        m_pmem.put(it->second);
        it = m_pages.erase(it);
    }
    remember_host_state();
    return {};
}

void CachedFile::read_ahead(std::uint64_t first, std::uint64_t count) {
    const std::uint64_t pages = page_round_up(size()) >> kPageShift;
    for (std::uint64_t index = first; index < pages && index - first < count; ++index) {
        bool major = false;
        if (!get_page(index, &major))
            break;
    }
}

bool CachedFile::may_reveal_residency() const {
    struct stat st {};
    if (::fstat(m_read_fd, &st) != 0)
        return true;
    if (::geteuid() == 0 || st.st_uid == ::geteuid())
        return true;  // inode_owner_or_capable()
    return ::faccessat(AT_FDCWD, ("/proc/self/fd/" + std::to_string(m_read_fd)).c_str(), W_OK, AT_EACCESS) == 0;
}

std::uint64_t CachedFile::shrink(std::uint64_t target) {
    std::uint64_t freed = 0;
    for (auto it = m_pages.begin(); it != m_pages.end() && freed < target;) {
        const FrameInfo& f = m_pmem.info(it->second);
        if (f.refcount == 1 && f.mapcount == 0 && !f.dirty) {
            m_pmem.put(it->second);
            it = m_pages.erase(it);
            ++freed;
        } else {
            ++it;
        }
    }
    return freed;
}

void CachedFile::write_back_dirty() {
    for (const auto& [index, pfn] : m_pages) {
        FrameInfo& f = m_pmem.info(pfn);
        if (f.dirty && write_back(index))
            f.dirty = false;
    }
}

void CachedFile::remove_page(std::uint64_t index) {
    auto it = m_pages.find(index);
    if (it == m_pages.end())
        return;
    const Pfn pfn = it->second;
    m_pages.erase(it);
    m_pmem.put(pfn);
}

PageCache::PageCache(PhysicalMemory& pmem) : m_pmem(pmem) { m_pmem.set_shrinker(this); }

PageCache::~PageCache() { m_pmem.set_shrinker(nullptr); }

KResult<std::shared_ptr<CachedFile>> PageCache::get(int host_fd, const std::string& path) {
    struct stat st {};
    if (::fstat(host_fd, &st) != 0)
        return err(from_host(errno));
    const FileIdentity id{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
    if (auto it = m_files.find(id); it != m_files.end()) {
        // Changed on the host behind our back: cached pages no longer describe the file.
        // While something maps it, Linux would see one coherent file, so keep it then.
        if (!it->second->is_stale() || it->second->is_mapped())
            return it->second;
        m_files.erase(it);
    }
    // A descriptor of the cache's own, read-only: guest descriptors come and go.
    int fd = ::open(("/proc/self/fd/" + std::to_string(host_fd)).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fd = ::fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return err(from_host(errno));
    // Name it by its absolute path, as /proc/pid/maps shows file mappings.
    char resolved[4096];
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), resolved, sizeof(resolved) - 1);
    const std::string name = n > 0 ? std::string(resolved, static_cast<std::size_t>(n)) : path;
    auto file = std::make_shared<CachedFile>(m_pmem, fd, name, id);
    m_files.emplace(id, file);
    return file;
}

std::shared_ptr<CachedFile> PageCache::find(FileIdentity id) const {
    auto it = m_files.find(id);
    return it == m_files.end() ? nullptr : it->second;
}

std::uint64_t PageCache::cached_pages() const {
    std::uint64_t n = 0;
    for (const auto& [id, file] : m_files)
        n += file->cached_pages();
    return n;
}

void PageCache::prune() {
    std::erase_if(m_files, [](const auto& entry) {
        return entry.second->cached_pages() == 0 && entry.second.use_count() == 1;
    });
}

void PageCache::release_all() {
    std::erase_if(m_files, [&](const auto& entry) {
        if (entry.second.use_count() != 1)
            return false;
        entry.second->write_back_dirty();
        return true;
    });
}

std::uint64_t PageCache::shrink(std::uint64_t target) {
    std::uint64_t freed = 0;
    for (auto it = m_files.begin(); it != m_files.end() && freed < target;) {
        freed += it->second->shrink(target - freed);
        // A file nobody maps or holds open, with no pages left, leaves the cache.
        if (it->second->cached_pages() == 0 && it->second.use_count() == 1)
            it = m_files.erase(it);
        else
            ++it;
    }
    return freed;
}

}  // namespace os::mm
