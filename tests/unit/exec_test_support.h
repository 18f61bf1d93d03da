// Helpers for the exec tests: a temporary directory, the guest binaries the build made, and
// the initial stack as a program reads it.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "os/abi/elf.h"
#include "os/mm/address_space.h"
#include "os/mm/mmu_notifier.h"

namespace exec_test {

namespace fs = std::filesystem;

class NullNotifier final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(os::mm::PhysAddr, std::uint64_t) override {}
};

struct TempDir {
    TempDir() {
        static std::atomic<int> counter{0};
        path = fs::temp_directory_path() /
               ("faultline-exec-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    fs::path path;
};

// build/tests/unit_tests -> build/guest/<variant>/<name>; nullopt (with a warning) if absent.
inline std::optional<std::string> guest_binary(const std::string& variant, const std::string& name) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path p = exe.parent_path().parent_path() / "guest" / variant / name;
        if (fs::is_regular_file(p, ec))
            return fs::canonical(p, ec).string();
    }
    WARN("guest binary " << variant << "/" << name << " not built: skipped");
    return std::nullopt;
}

inline void write_text(const fs::path& path, const std::string& text, fs::perms perms = fs::perms::owner_all) {
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
        REQUIRE(out);
    }
    fs::permissions(path, perms);
}

inline std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::uint64_t read_u64(os::mm::AddressSpace& mm, os::mm::VirtAddr va) {
    std::uint64_t v = 0;
    REQUIRE(mm.copy_from_user(&v, va, sizeof v));
    return v;
}

// What a program finds at its initial stack pointer.
struct InitialStack {
    std::vector<std::string> argv, envp;
    std::map<std::uint64_t, std::uint64_t> auxv;
    std::string string_at(os::mm::AddressSpace& mm, std::uint64_t addr) const {
        return mm.copy_string_from_user(addr, 4096).value();
    }
};

inline InitialStack read_initial_stack(os::mm::AddressSpace& mm, os::mm::VirtAddr sp) {
    InitialStack out;
    const std::uint64_t argc = read_u64(mm, sp);
    REQUIRE(argc < 1000);
    sp += 8;
    for (std::uint64_t i = 0; i < argc; ++i, sp += 8)
        out.argv.push_back(mm.copy_string_from_user(read_u64(mm, sp), 1 << 20).value());
    REQUIRE(read_u64(mm, sp) == 0);
    for (sp += 8; read_u64(mm, sp) != 0; sp += 8)
        out.envp.push_back(mm.copy_string_from_user(read_u64(mm, sp), 1 << 20).value());
    for (sp += 8;; sp += 16) {
        const std::uint64_t type = read_u64(mm, sp);
        if (type == linux_abi::AT_NULL)
            break;
        REQUIRE(out.auxv.size() < 64);
        out.auxv[type] = read_u64(mm, sp + 8);
    }
    return out;
}

}  // namespace exec_test
