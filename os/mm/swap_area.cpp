#include "os/mm/swap_area.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "os/mm/types.h"

namespace os::mm {

using linux_abi::Errno;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

int open_temporary() {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/faultline-swap-XXXXXX";
    const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0)
        fail("cannot create a swap file in " + tmpl.substr(0, tmpl.rfind('/')));
    ::unlink(tmpl.c_str());
    return fd;
}

int open_named(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        fail("cannot open swap file " + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw std::invalid_argument("swap file " + path + " is not a regular file");
    }
    return fd;
}

// Full-page pread/pwrite, retried on EINTR and short transfers.
template <class Io, class Ptr>
bool transfer(Io io, int fd, Ptr data, std::uint64_t offset) {
    std::uint64_t done = 0;
    while (done < kPageSize) {
        const ssize_t n = io(fd, data + done, kPageSize - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}

}  // namespace

SwapArea::SwapArea(std::uint64_t bytes, const std::string& path, std::uint32_t type)
    : m_type(type), m_path(path) {
    const std::uint64_t pages = bytes >> kPageShift;
    if (pages < 2)
        throw std::invalid_argument("a swap area needs at least two pages (one is its header)");
    if (type > kSwapTypeMask || pages - 1 > kSwapOffsetMask)
        throw std::invalid_argument("swap area too large");
    m_fd = path.empty() ? open_temporary() : open_named(path);
    if (::ftruncate(m_fd, static_cast<off_t>(pages << kPageShift)) != 0) {
        const int saved = errno;
        ::close(m_fd);
        errno = saved;
        fail("cannot size the swap file");
    }
    m_swap_map.assign(pages, 0);
    m_used_bitmap.assign((pages + 63) / 64, 0);
    write_header();
}

SwapArea::~SwapArea() {
    if (m_fd >= 0)
        ::close(m_fd);
}

// mkswap's header: version 1, the last page number, and the signature at the end of page 0.
void SwapArea::write_header() {
    std::byte page[kPageSize] = {};
    const std::uint32_t version = 1;
    const std::uint32_t last_page = static_cast<std::uint32_t>(m_swap_map.size() - 1);
    std::memcpy(page + 1024, &version, sizeof(version));
    std::memcpy(page + 1028, &last_page, sizeof(last_page));
    std::memcpy(page + kPageSize - 10, "SWAPSPACE2", 10);
    if (!transfer(::pwrite, m_fd, static_cast<const std::byte*>(page), 0))
        fail("cannot write the swap header");
}

void SwapArea::mark_used(std::uint64_t offset) {
    m_used_bitmap[offset / 64] |= 1ull << (offset % 64);
    ++m_used;
}

void SwapArea::release_if_unused(std::uint64_t offset) {
    if (m_swap_map[offset] != 0)
        return;
    m_used_bitmap[offset / 64] &= ~(1ull << (offset % 64));
    --m_used;
    if (offset < m_lowest_free)
        m_lowest_free = offset;
}

std::optional<SwapEntry> SwapArea::get_swap_page() {
    const std::uint64_t slots = m_swap_map.size();
    for (std::uint64_t word = m_lowest_free / 64; word < m_used_bitmap.size(); ++word) {
        std::uint64_t bits = ~m_used_bitmap[word];
        if (word == 0)
            bits &= ~1ull;  // the header
        if (bits == 0)
            continue;
        const std::uint64_t offset = word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits));
        if (offset >= slots)
            break;
        m_swap_map[offset] = kSwapHasCache;
        mark_used(offset);
        m_lowest_free = offset + 1;
        return SwapEntry{m_type, offset};
    }
    m_lowest_free = slots;
    return std::nullopt;
}

void SwapArea::swap_duplicate(SwapEntry e) {
    assert(valid(e) && m_swap_map[e.offset] != 0);
    ++m_swap_map[e.offset];
}

std::uint32_t SwapArea::swap_free(SwapEntry e) {
    assert(valid(e) && swap_count(e) > 0);
    --m_swap_map[e.offset];
    release_if_unused(e.offset);
    return swap_count(e);
}

void SwapArea::set_cache_flag(SwapEntry e, bool cached) {
    assert(valid(e) && m_swap_map[e.offset] != 0);
    if (cached) {
        m_swap_map[e.offset] |= kSwapHasCache;
        return;
    }
    m_swap_map[e.offset] &= ~kSwapHasCache;
    release_if_unused(e.offset);
}

KResult<void> SwapArea::write_page(SwapEntry e, const std::byte* page) {
    assert(valid(e));
    if (!transfer(::pwrite, m_fd, page, e.offset << kPageShift))
        return err(Errno::eio);
    ++m_pages_written;
    return {};
}

KResult<void> SwapArea::read_page(SwapEntry e, std::byte* page) {
    assert(valid(e));
    if (!transfer(::pread, m_fd, page, e.offset << kPageShift))
        return err(Errno::eio);
    ++m_pages_read;
    return {};
}

}  // namespace os::mm
