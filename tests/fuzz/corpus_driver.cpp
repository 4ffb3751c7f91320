// Runs a libFuzzer entry point once over every file of a seed corpus, so that fuzz targets
// also run as plain regression tests in builds without libFuzzer (gcc, the default preset).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path root(argv[i]);
    std::vector<std::filesystem::path> inputs;
    if (std::filesystem::is_directory(root)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else {
      inputs.push_back(root);
    }
    for (const auto& path : inputs) {
      std::ifstream in(path, std::ios::binary);
      // Read in blocks: gcc 12 reports a false null dereference in istreambuf_iterator.
      std::string bytes;
      char block[4096];
      while (in.read(block, sizeof(block)) || in.gcount() > 0) {
        bytes.append(block, static_cast<std::size_t>(in.gcount()));
      }
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  // Also the empty input, which every target must survive.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("ran %d corpus inputs\n", files);
  return files > 0 ? 0 : 1;
}
