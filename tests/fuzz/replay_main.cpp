// The fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput once on every file named
// on the command line, and on every regular file in every directory named (not recursive,
// in name order). ctest runs the committed corpora this way in every build, sanitizers or
// not, so that each input that once crashed stays a regression test. A crash or a violated
// property aborts with the file's name on stderr.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        if (!fs::is_directory(arg)) {
            files.push_back(arg);
            continue;
        }
        std::vector<fs::path> in_dir;
        for (const auto& entry : fs::directory_iterator(arg))
            if (entry.is_regular_file())
                in_dir.push_back(entry.path());
        std::sort(in_dir.begin(), in_dir.end());
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: %s FILE|DIR...  (no input found)\n", argv[0]);
        return 2;
    }
    for (const fs::path& file : files) {
        if (!fs::exists(file)) {
            std::fprintf(stderr, "%s: no such file\n", file.c_str());
            return 2;
        }
        std::fprintf(stderr, "%s\n", file.c_str());
        const std::vector<std::uint8_t> bytes = read_file(file);
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    std::fprintf(stderr, "%zu inputs ran\n", files.size());
    return 0;
}
