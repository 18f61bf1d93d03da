// Working around Unicorn's stuck exception state.
//
// QEMU's x86 target remembers the vector of the exception being delivered in
// env->old_exception so that a fault during delivery becomes a double fault. The reset of
// that field happens in the IDT delivery code, which Unicorn skips when UC_HOOK_INTR
// handles the exception. Left alone, the second #GP/#DE/#UD a program takes arrives as a
// double fault (vector 8) and the third stops the CPU.
//
// The field is not reachable through Unicorn's API, but it lies inside the CPU context
// blob. At start-up we find its offset by saving the context around one deliberate #GP
// (loading a selector beyond the GDT limit; exactly one 4-byte slot goes from -1 to 13), and after every hooked exception we save
// the context, put -1 back into that slot and restore it.
#include <unicorn/unicorn.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "emu/cpu.h"

namespace emu {

namespace {

constexpr std::int32_t kNoException = -1;
constexpr std::int32_t kGpVector = 13;

struct ContextDeleter {
    void operator()(uc_context* c) const { uc_context_free(c); }
};
using ContextPtr = std::unique_ptr<uc_context, ContextDeleter>;

ContextPtr save_context(uc_engine* uc) {
    uc_context* ctx = nullptr;
    if (uc_context_alloc(uc, &ctx) != UC_ERR_OK)
        throw std::runtime_error("unicorn: uc_context_alloc failed");
    ContextPtr owned(ctx);
    if (uc_context_save(uc, ctx) != UC_ERR_OK)
        throw std::runtime_error("unicorn: uc_context_save failed");
    return owned;
}

}  // namespace

void Cpu::probe_exception_state(std::uint64_t probe_rip) {
    const std::size_t size = uc_context_size(m_uc);
    ContextPtr before = save_context(m_uc);
    m_exception = false;
    uc_emu_start(m_uc, probe_rip, probe_rip + 6, 0, 0);
    if (!m_exception || m_exception_vector != kGpVector)
        throw std::runtime_error("unicorn: the #GP probe did not raise #GP");
    ContextPtr after = save_context(m_uc);

    // The blob starts with Unicorn's own header; scan it all for the one matching slot.
    const auto* a = reinterpret_cast<const std::byte*>(before.get());
    const auto* b = reinterpret_cast<const std::byte*>(after.get());
    std::vector<std::size_t> candidates;
    for (std::size_t off = 0; off + 4 <= size; off += 4) {
        std::int32_t va, vb;
        std::memcpy(&va, a + off, 4);
        std::memcpy(&vb, b + off, 4);
        if (va == kNoException && vb == kGpVector)
            candidates.push_back(off);
    }
    if (candidates.size() != 1)
        throw std::runtime_error("unicorn: cannot locate the CPU's pending-exception state (" +
                                 std::to_string(candidates.size()) + " candidates)");
    m_old_exception_offset = candidates[0];
    m_context_size = size;
    // Put the CPU back exactly as it was before the probe.
    if (uc_context_restore(m_uc, before.get()) != UC_ERR_OK)
        throw std::runtime_error("unicorn: uc_context_restore failed");
    m_exception = false;
}

void Cpu::clear_exception_state() {
    ContextPtr ctx = save_context(m_uc);
    auto* raw = reinterpret_cast<std::byte*>(ctx.get());
    std::int32_t none = kNoException;
    std::memcpy(raw + m_old_exception_offset, &none, sizeof(none));
    if (uc_context_restore(m_uc, ctx.get()) != UC_ERR_OK)
        throw std::runtime_error("unicorn: uc_context_restore failed");
}

}  // namespace emu
